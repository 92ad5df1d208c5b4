"""Publishing anything clears the standard's cached pages and PDFs."""

from __future__ import annotations

from typing import Any

from wagtail.signals import page_published, page_unpublished

from .services import standard_cache_clear


def _clear(**kwargs: Any) -> None:
    standard_cache_clear()


def connect() -> None:
    page_published.connect(_clear, dispatch_uid="cms.cache_clear.published")
    page_unpublished.connect(_clear, dispatch_uid="cms.cache_clear.unpublished")
