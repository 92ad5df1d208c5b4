"""Writes for the standard: editor permissions, page caches and the PDF. The importer lives in
`cms.importing` (re-exported here for its callers)."""

from __future__ import annotations

from django.core.cache import cache

from core.services import task_queue

from .importing import (
    EVIDENCE_CODES,
    ITEM_FIELDS,
    MODULE_FIELDS,
    STANDARD_IMPORT_KIND,
    VERSION_FIELDS,
    ImportReport,
    StandardImportError,
    standard_file_parse,
    standard_import,
    standard_import_file,
    standard_import_job_run,
    standard_import_start,
    standard_index_ensure,
)
from .models import HomePage, StandardVersionPage
from .selectors import CACHE_GENERATION_KEY

__all__ = [
    "EVIDENCE_CODES",
    "ITEM_FIELDS",
    "MODULE_FIELDS",
    "STANDARD_IMPORT_KIND",
    "VERSION_FIELDS",
    "ImportReport",
    "StandardImportError",
    "editor_page_permissions_ensure",
    "standard_cache_clear",
    "standard_file_parse",
    "standard_import",
    "standard_import_file",
    "standard_import_job_run",
    "standard_import_start",
    "standard_index_ensure",
    "standard_pdf_render",
    "standard_pdf_request",
    "standard_pdf_store",
]


# --- caches ---------------------------------------------------------------------------------


def standard_cache_clear() -> None:
    """Invalidate every cached fragment and PDF of the standard (called on publish)."""
    try:
        cache.incr(CACHE_GENERATION_KEY)
    except ValueError:
        cache.set(CACHE_GENERATION_KEY, 2, None)


# --- editors --------------------------------------------------------------------------------

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]


def editor_page_permissions_ensure() -> bool:
    """Give the content_editor group add/edit/publish on the home page's tree (the standard,
    guidance, notices). Idempotent; returns False when there is no home page yet."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    from accounts.roles import CONTENT_EDITOR

    home = HomePage.objects.first()
    if home is None:
        return False
    group, _created = Group.objects.get_or_create(name=CONTENT_EDITOR)
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    return True


# --- PDF ------------------------------------------------------------------------------------


def standard_pdf_render(*, version: StandardVersionPage, language: str) -> bytes:
    """The whole version as a PDF (WeasyPrint, Noto CJK for the Chinese text)."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation
    from weasyprint import HTML

    from .selectors import version_full

    with translation.override(language):
        full = version_full(version=version)
        html = render_to_string(
            "cms/standard_pdf.html", {"full": full, "version": version, "LANGUAGE_CODE": language}
        )
    return HTML(string=html, base_url=str(settings.SITE_URL)).write_pdf()


def _standard_pdf_key(*, version_id: int, language: str) -> str:
    from .selectors import cache_generation

    return f"cms:pdf:{cache_generation()}:{version_id}:{language}"


def standard_pdf_store(*, version_id: int, language: str) -> int:
    """Render a version's PDF into the shared cache (Redis in production: every web node serves
    it) until the next publish. Run by a task, never in a request: a whole version takes
    WeasyPrint seconds. Safe to run twice; returns the size in bytes."""
    from .selectors import page_cache_seconds

    key = _standard_pdf_key(version_id=version_id, language=language)
    pdf = cache.get(key)
    if pdf is None:
        version = StandardVersionPage.objects.live().get(pk=version_id)
        pdf = standard_pdf_render(version=version, language=language)
        cache.set(key, pdf, page_cache_seconds())
    cache.delete(f"{key}:queued")
    return len(pdf)


def standard_pdf_request(*, version: StandardVersionPage, language: str) -> bytes | None:
    """The PDF once rendered; otherwise its render is queued (once, however many readers ask
    meanwhile) and None returned. With Celery eager (`make run`) it is rendered at once."""
    from .tasks import standard_pdf_store_task

    key = _standard_pdf_key(version_id=version.pk, language=language)
    pdf = cache.get(key)
    # The marker expires, so a render lost with its worker is queued again by a later reader.
    if pdf is None and cache.add(f"{key}:queued", True, timeout=300):
        task_queue(standard_pdf_store_task, version_id=version.pk, language=language)
        pdf = cache.get(key)
    return pdf
