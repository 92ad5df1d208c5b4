"""Views of the standard that are not plain page renders (routes of the standard's pages).

Everything here is public by design: the standard is free to read without an account. Wagtail
has already applied any page view restriction before these run, and they only read live pages
and published item rows, so drafts are never shown.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.i18n import language_supported
from core.responses import file_preparing_response

from . import selectors, services
from .models import StandardIndexPage, StandardModulePage, StandardVersionPage


def standard_item(request: HttpRequest, *, version: StandardVersionPage, code: str) -> Any:
    item = selectors.item_detail(version=version, code=code)
    if item is None:
        raise Http404("No such item in this version")
    version_url = version.get_url(request) or ""
    return version.render(
        request,
        template="cms/standard_item.html",
        context_overrides={
            "item": item,
            "module": item.module,
            "module_url": f"{version_url}{item.module.slug}/",
            "version_url": version_url,
            "permalink": selectors.item_permalink(version_url, item.code),
            "successor": selectors.version_successor(version),
        },
    )


def item_permalink(request: HttpRequest, version_slug: str, code: str) -> HttpResponse:
    """The dotted permalink: served through Wagtail (site routing, view restrictions, hooks)
    as the version page's item route."""
    from wagtail.views import serve

    return serve(request, f"standard/{version_slug}/items/{code.replace('.', '-')}/")


# What an empty search suggests: a KPI by name, an item code, a word that spans items.
SEARCH_EXAMPLES = ("首次解决率", "4.2.3", "满意度", "first contact resolution")


def standard_search(request: HttpRequest, *, index: StandardIndexPage) -> Any:
    query = request.GET.get("q", "")[:100]
    hits = selectors.standard_search(query=query) if query.strip() else []
    return index.render(
        request,
        template="cms/standard_search.html",
        context_overrides={"query": query, "hits": hits, "search_examples": SEARCH_EXAMPLES},
    )


def module_print(request: HttpRequest, *, module: StandardModulePage) -> Any:
    detail = selectors.module_detail(module=module, request=request)
    return module.render(
        request, template="cms/module_print.html", context_overrides={"detail": detail}
    )


def standard_pdf(request: HttpRequest, *,
                 version: StandardVersionPage) -> HttpResponse | FileResponse:
    """The PDF rendered when the version was last published, at once; while it renders (just
    after a publish) a page that says so and reloads itself (202, Retry-After)."""
    pdf = services.standard_pdf_request(version=version,
                                        language=language_supported(get_language()))
    if pdf is None:
        return file_preparing_response(
            request, heading=_("The PDF of the standard is being prepared"),
            message=_("%(title)s is being typeset as a PDF. This page downloads it by itself "
                      "when it is ready, usually within a minute.") % {"title": version.title},
            back_url=version.get_url(request) or "", back_label=_("Back to the standard"))
    return FileResponse(pdf.file.open("rb"), as_attachment=True, filename=f"{version.slug}.pdf",
                        content_type="application/pdf")
