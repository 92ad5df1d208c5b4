"""Publishing anything clears the standard's cached pages; publishing a version or one of its
modules has its PDFs rendered anew (each language, in a task); a PDF's row deleted (with its
version) takes its file out of the storage."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from .models import StandardPdf
from .services import standard_cache_clear, standard_pdf_publish, standard_pdf_versions_affected


def _clear(**kwargs: Any) -> None:
    standard_cache_clear()


def _pdf_render(*, instance: Any, **kwargs: Any) -> None:
    for version_id in standard_pdf_versions_affected(instance):
        standard_pdf_publish(version_id=version_id)


def _pdf_file_delete(*, instance: StandardPdf, **kwargs: Any) -> None:
    storage, name = instance.file.storage, instance.file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))  # not if the delete rolls back


def connect() -> None:
    post_delete.connect(_pdf_file_delete, sender=StandardPdf, dispatch_uid="cms.pdf_file_delete")
    page_published.connect(_clear, dispatch_uid="cms.cache_clear.published")
    page_unpublished.connect(_clear, dispatch_uid="cms.cache_clear.unpublished")
    page_published.connect(_pdf_render, dispatch_uid="cms.pdf_render.published")
    page_unpublished.connect(_pdf_render, dispatch_uid="cms.pdf_render.unpublished")
