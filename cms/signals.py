"""Publishing anything clears the standard's cached pages; publishing a version or one of its
modules has its PDFs rendered anew (each language, in a task)."""

from __future__ import annotations

from typing import Any

from wagtail.signals import page_published, page_unpublished

from .services import standard_cache_clear, standard_pdf_publish, standard_pdf_versions_affected


def _clear(**kwargs: Any) -> None:
    standard_cache_clear()


def _pdf_render(*, instance: Any, **kwargs: Any) -> None:
    for version_id in standard_pdf_versions_affected(instance):
        standard_pdf_publish(version_id=version_id)


def connect() -> None:
    page_published.connect(_clear, dispatch_uid="cms.cache_clear.published")
    page_unpublished.connect(_clear, dispatch_uid="cms.cache_clear.unpublished")
    page_published.connect(_pdf_render, dispatch_uid="cms.pdf_render.published")
    page_unpublished.connect(_pdf_render, dispatch_uid="cms.pdf_render.unpublished")
