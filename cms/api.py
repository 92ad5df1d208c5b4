"""The open standard, read-only, at /api/v1/cms/: versions, a version's tree, a module, an item."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router, Schema, Status

from core.bounds import SmallNumber
from core.i18n import language_supported
from core.responses import FILE_PREPARING_REFRESH_SECONDS

from . import selectors, services
from .models import StandardItem, StandardModulePage, StandardVersionPage

# Public by design: the standard is free to read without an account.
router = Router(tags=["standard"], auth=None)


class VersionOut(Schema):
    code: str
    slug: str
    title: str
    title_en: str
    issued_on: datetime.date | None
    effective_on: datetime.date | None
    is_superseded: bool
    superseded_by: str | None
    is_sample: bool
    url: str


class ItemOut(Schema):
    code: str
    title: str
    title_en: str
    requirement: str
    requirement_en: str
    guidance: str
    guidance_en: str
    evidence: list[str]
    permalink: str


class ItemDetailOut(ItemOut):
    version: str
    module_number: int


class ModuleOut(Schema):
    number: int
    title: str
    title_en: str
    pass_rate: Decimal
    url: str
    items: list[ItemOut]


class TreeOut(Schema):
    version: VersionOut
    modules: list[ModuleOut]


def _version_out(version: StandardVersionPage, successor: StandardVersionPage | None) -> VersionOut:
    return VersionOut(
        code=version.code, slug=version.slug, title=version.title, title_en=version.title_en,
        issued_on=version.issued_on, effective_on=version.effective_on,
        is_superseded=successor is not None,
        superseded_by=successor.code if successor else None,
        is_sample=version.is_sample, url=version.get_url() or "",
    )


def _item_out(item: StandardItem, permalink: str) -> ItemOut:
    return ItemOut(
        code=item.code, title=item.title, title_en=item.title_en,
        requirement=item.requirement, requirement_en=item.requirement_en,
        guidance=item.guidance, guidance_en=item.guidance_en,
        evidence=item.evidence_codes, permalink=permalink,
    )


def _module_out(module: StandardModulePage, url: str, items: list[selectors.ItemView]) -> ModuleOut:
    return ModuleOut(
        number=module.number, title=module.title, title_en=module.title_en,
        pass_rate=module.pass_rate, url=url,
        items=[_item_out(entry.item, entry.permalink) for entry in items],
    )


def _version_or_404(version: str) -> StandardVersionPage:
    found = selectors.version_get(code_or_slug=version)
    if found is None:
        raise Http404("No such version")
    return found


@router.get("/standards", response=list[VersionOut])
def standards(request: HttpRequest) -> list[VersionOut]:
    """Every published version, newest first; `is_superseded` marks old ones."""
    versions = list(selectors.versions_live())
    successors = {
        v.supersedes_id: v for v in versions if v.supersedes_id is not None
    }
    return [_version_out(v, successors.get(v.pk)) for v in versions]


@router.get("/standards/{version}", response=TreeOut)
def standard_tree(request: HttpRequest, version: str) -> TreeOut:
    """A version (by slug, e.g. `yd-t-2823-2015`) with its modules and items."""
    full = selectors.version_full(version=_version_or_404(version))
    urls = {m.page.pk: m.url for m in full.overview.modules}
    return TreeOut(
        version=_version_out(full.overview.version, full.overview.successor),
        modules=[_module_out(m, urls[m.pk], items) for m, items in full.modules],
    )


@router.get("/standards/{version}/modules/{number}", response=ModuleOut)
def standard_module(request: HttpRequest, version: str, number: SmallNumber) -> ModuleOut:
    found = _version_or_404(version)
    module = StandardModulePage.objects.live().child_of(found).filter(number=number).first()
    if module is None:
        raise Http404("No such module")
    detail = selectors.module_detail(module=module)
    return _module_out(module, f"{detail.version_url}{module.slug}/", detail.items)


@router.get("/standards/{version}/items/{code}", response=ItemDetailOut)
def standard_item(request: HttpRequest, version: str, code: str) -> ItemDetailOut:
    found = _version_or_404(version)
    item = selectors.item_detail(version=found, code=code)
    if item is None:
        raise Http404("No such item")
    base = _item_out(item, selectors.item_permalink(found.get_url() or "", item.code))
    return ItemDetailOut(**base.dict(), version=found.code, module_number=item.module.number)


class PdfPreparingOut(Schema):
    status: Literal["preparing"]
    retry_after: int
    detail: str


@router.get("/standards/{version}/pdf", response={200: None, 202: PdfPreparingOut},
            openapi_extra={"responses": {200: {"description": "The PDF (application/pdf)",
                                               "content": {"application/pdf": {}}}}})
def standard_pdf(request: HttpRequest, response: HttpResponse, version: str,
                 language: Literal["zh-hans", "en"] | None = None) -> Any:
    """The whole version as a PDF in `language` (default: the request's language), rendered
    when the version was last published. Just after a publish, while it renders: 202 with
    `Retry-After` (seconds); ask again then. A PDF older than the last publish is never sent."""
    from django.utils.translation import gettext as _

    found = _version_or_404(version)
    pdf = services.standard_pdf_request(version=found,
                                        language=language_supported(language or get_language()))
    if pdf is None:
        response["Retry-After"] = str(FILE_PREPARING_REFRESH_SECONDS)
        return Status(202, PdfPreparingOut(
            status="preparing", retry_after=FILE_PREPARING_REFRESH_SECONDS,
            detail=_("The PDF of the standard is being prepared")))
    return FileResponse(pdf.file.open("rb"), as_attachment=True, filename=f"{found.slug}.pdf",
                        content_type="application/pdf")
