"""The applicant's evidence per item: uploading it (checked by content), a new version of it,
the freeze at document review and the requests for more evidence that reopen named items; its
pages rendered once for viewing, and each page served to a viewer with their watermark and
logged."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from accounts.models import User
from cms.models import StandardItem
from cms.selectors import version_items
from core.services import audit_record, email_send_templated, task_queue_on_commit

from .. import selectors
from ..errors import ReviewError
from ..evidence_files import CheckedFile, evidence_check, pages_render, png_bytes, watermark_lay
from ..models import (
    APPLICANT_EVIDENCE_KINDS,
    EVIDENCE_REQUEST_STATES,
    EvidenceFile,
    EvidencePageView,
    EvidenceRequest,
    EvidenceVersion,
    MemberState,
    RenderState,
    ReviewProject,
    TeamRole,
)
from ..storage import evidence_storage

logger = logging.getLogger(__name__)


def _site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def _clean_name(name: str | None) -> str:
    return PurePath((name or "").replace("\\", "/")).name.strip()[:255] or "evidence"


def _project_locked(project: ReviewProject) -> ReviewProject:
    return (ReviewProject.objects.select_for_update().select_related("organisation")
            .get(pk=project.pk))


def _open_request(project: ReviewProject, item: StandardItem, *,
                  today: dt.date) -> EvidenceRequest | None:
    return (project.evidence_requests.filter(items=item, due_on__gte=today)
            .order_by("-created_at", "-pk").first())


def _addition_check(*, project: ReviewProject, item: StandardItem, kind: str, by: User,
                    today: dt.date) -> EvidenceRequest | None:
    """Refuses unless `by` acts for the applicant, `item` expects `kind` and is open; returns
    the request for more evidence the addition answers (None before the freeze)."""
    if not selectors.can_act_for_applicant(by, project):
        raise ReviewError(_("Only the applicant organisation adds evidence to its review."))
    if kind not in APPLICANT_EVIDENCE_KINDS or kind not in item.evidence_codes:
        raise ReviewError(_("Item %(code)s does not expect this kind of evidence.")
                          % {"code": item.code})
    if not selectors.evidence_item_is_open(project, item.pk, today=today):
        raise ReviewError(_("The evidence was frozen when document review started; item "
                            "%(code)s takes more only when the team asks for it.")
                          % {"code": item.code})
    if not selectors.evidence_is_frozen(project):
        return None
    return _open_request(project, item, today=today)


def _version_store(*, evidence: EvidenceFile, checked: CheckedFile, name: str, by: User,
                   request: EvidenceRequest | None, now: dt.datetime) -> EvidenceVersion:
    number = (evidence.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = EvidenceVersion(
        evidence=evidence, number=number, original_name=name, content_type=checked.content_type,
        size=len(checked.content), sha256=checked.sha256, pages=checked.pages, request=request,
        uploaded_by=by, uploaded_at=now,
    )
    version.original.save(f"original.{checked.extension}", ContentFile(checked.content),
                          save=False)
    version.save()
    from ..tasks import evidence_pages_render_task

    task_queue_on_commit(evidence_pages_render_task, version_id=version.pk)
    audit_record(actor=by, action="reviews.evidence.added", target=evidence.project, data={
        "evidence": evidence.pk, "version": version.pk, "number": number,
        "item": evidence.item.code, "kind": evidence.kind, "sha256": checked.sha256,
        "request": request.pk if request else None,
    })
    if request is not None:
        _email_team_new_version(version)
    return version


@transaction.atomic
def evidence_upload(*, project: ReviewProject, item: StandardItem, kind: str, upload: IO[bytes],
                    name: str | None, size: int | None, by: User, title: str = "",
                    now: dt.datetime | None = None) -> EvidenceVersion:
    """A new evidence file for `item`, as `kind`: the applicant only, an item of the project's
    version that expects `kind`, open (before the freeze, or reopened by a request for more
    evidence), a file that passes `evidence_files.evidence_check`. Its pages are rendered for
    viewing by a task queued on commit; audited."""
    now = now or timezone.now()
    project = _project_locked(project)
    if not version_items(version=project.standard_version).filter(pk=item.pk).exists():
        raise ReviewError(_("This item is not part of the standard version under review."))
    request = _addition_check(project=project, item=item, kind=kind, by=by,
                              today=timezone.localdate(now))
    checked = evidence_check(upload, size=size)
    name = _clean_name(name)
    evidence = EvidenceFile.objects.create(
        project=project, item=item, kind=kind, title=(title.strip() or name)[:200],
        created_by=by, created_at=now)
    return _version_store(evidence=evidence, checked=checked, name=name, by=by, request=request,
                          now=now)


@transaction.atomic
def evidence_version_add(*, evidence: EvidenceFile, upload: IO[bytes], name: str | None,
                         size: int | None, by: User,
                         now: dt.datetime | None = None) -> EvidenceVersion:
    """A new version of `evidence`, the earlier ones kept: same rules as `evidence_upload`.
    After the freeze it answers the request that reopened the item, and the team is emailed."""
    now = now or timezone.now()
    project = _project_locked(evidence.project)
    evidence = EvidenceFile.objects.select_related("item").get(pk=evidence.pk)
    request = _addition_check(project=project, item=evidence.item, kind=evidence.kind, by=by,
                              today=timezone.localdate(now))
    checked = evidence_check(upload, size=size)
    return _version_store(evidence=evidence, checked=checked, name=_clean_name(name), by=by,
                          request=request, now=now)


def _email_team_new_version(version: EvidenceVersion) -> None:
    evidence = version.evidence
    for member in evidence.project.members.filter(state=MemberState.DRAWN).select_related(
            "reviewer"):
        email_send_templated(
            to=[member.reviewer.email], template_prefix="reviews/email/evidence_added",
            language=member.reviewer.language,
            context={"project": evidence.project, "evidence": evidence, "version": version,
                     "reviewer": member.reviewer, "site_url": _site_url()})


@transaction.atomic
def evidence_request_create(*, project: ReviewProject, items: Iterable[StandardItem],
                            due_on: dt.date, message: str, by: User,
                            now: dt.datetime | None = None) -> EvidenceRequest:
    """The team's lead asks for more evidence (补充材料) on named items by `due_on`: those items
    alone reopen for new versions until then. Audited; the applicant is emailed."""
    now = now or timezone.now()
    project = _project_locked(project)
    if not project.members.filter(reviewer=by, role=TeamRole.LEAD,
                                  state=MemberState.DRAWN).exists():
        raise ReviewError(_("Only the team's lead reviewer asks for more evidence."))
    if project.state not in EVIDENCE_REQUEST_STATES:
        raise ReviewError(_("More evidence is asked for during document or on-site review."))
    items = list(items)
    in_scope = set(version_items(version=project.standard_version)
                   .filter(pk__in=[item.pk for item in items]).values_list("pk", flat=True))
    if not items or len(in_scope) != len({item.pk for item in items}):
        raise ReviewError(_("Name the items of the standard version that need more evidence."))
    if due_on <= timezone.localdate(now):
        raise ReviewError(_("The due date must be after today."))
    message = message.strip()
    if not message:
        raise ReviewError(_("Say what evidence is asked for."))
    request = EvidenceRequest.objects.create(project=project, message=message, due_on=due_on,
                                             created_by=by, created_at=now)
    request.items.set(items)
    codes = sorted(item.code for item in items)
    audit_record(actor=by, action="reviews.evidence.requested", target=project, reason=message,
                 data={"request": request.pk, "items": codes, "due_on": due_on.isoformat()})
    for contact in selectors.organisation_contacts(project.organisation):
        email_send_templated(
            to=[contact.email], template_prefix="reviews/email/evidence_requested",
            language=contact.language,
            context={"project": project, "request": request, "codes": codes,
                     "contact": contact, "site_url": _site_url()})
    return request


# --------------------------------------------------------------------------- viewing


def _page_store(version: EvidenceVersion, number: int, image: Image.Image) -> None:
    storage = evidence_storage()
    name = version.page_name(number)
    if not storage.exists(name):
        storage.save(name, ContentFile(png_bytes(image)))


def evidence_pages_render(*, version_id: int) -> int:
    """Render every page of the version not rendered yet into the evidence storage, once (the
    task at upload; safe to run twice). Returns the number of pages rendered now."""
    version = EvidenceVersion.objects.get(pk=version_id)
    storage = evidence_storage()
    missing = [n for n in range(1, version.pages + 1) if not storage.exists(version.page_name(n))]
    rendered = 0
    try:
        if missing:
            with version.original.open("rb") as original:
                content = original.read()
            for number, image in pages_render(content, version.content_type, pages=missing):
                _page_store(version, number, image)
                rendered += 1
    except Exception:
        logger.exception("evidence version %s: its pages could not be rendered", version_id)
        EvidenceVersion.objects.filter(pk=version_id).update(render_state=RenderState.FAILED)
        raise
    EvidenceVersion.objects.filter(pk=version_id).update(render_state=RenderState.READY)
    return rendered


def _base_page(version: EvidenceVersion, number: int) -> Image.Image:
    """The page's base render: from the storage, or (the task has not reached it yet) rendered
    now, that page alone, and kept."""
    storage = evidence_storage()
    name = version.page_name(number)
    if storage.exists(name):
        with storage.open(name, "rb") as stored:
            return Image.open(io.BytesIO(stored.read())).convert("RGB")
    with version.original.open("rb") as original:
        content = original.read()
    ((_number, image),) = pages_render(content, version.content_type, pages=[number])
    _page_store(version, number, image)
    return image


def watermark_text(*, viewer: User, project: ReviewProject, now: dt.datetime) -> str:
    return (f"{viewer.display_name} · {project.organisation.name} · #{project.pk} · "
            f"{timezone.localtime(now):%Y-%m-%d %H:%M}")


def evidence_page_view(*, version: EvidenceVersion, page: int, viewer: User, channel: str,
                       now: dt.datetime | None = None) -> bytes:
    """Page `page` of `version` as `viewer` sees it: the base render with a watermark of their
    name, the project and the time (WebP), the view logged. The caller has checked
    `selectors.evidence_open_to`; a page the version does not have refuses."""
    now = now or timezone.now()
    if not 1 <= page <= version.pages:
        raise ReviewError(_("This evidence has no page %(page)s.") % {"page": page})
    base = _base_page(version, page)
    project = version.evidence.project
    image = watermark_lay(base, text=watermark_text(viewer=viewer, project=project, now=now))
    EvidencePageView.objects.create(version=version, page=page, viewer=viewer, viewed_at=now,
                                    channel=channel)
    return image
