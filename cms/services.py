"""Writes for the standard: editor permissions, page caches and the PDF. The importer lives in
`cms.importing` (re-exported here for its callers)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from wagtail.models import Page

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
# Wagtail's image and document libraries check permissions per collection, not only the model
# permission: without these on the root collection an editor is turned away from both.
EDITOR_COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


def editor_page_permissions_ensure() -> bool:
    """Give the content_editor group add/edit/publish on the home page's tree (the standard,
    guidance, notices) and the image and document libraries of the root collection.
    Idempotent; returns False when there is no home page yet."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    from accounts.roles import CONTENT_EDITOR

    home = HomePage.objects.first()
    if home is None:
        return False
    group, _created = Group.objects.get_or_create(name=CONTENT_EDITOR)
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=home, permission=permission)
    libraries = Q()
    for app_label, codenames in EDITOR_COLLECTION_PERMISSIONS.items():
        libraries |= Q(content_type__app_label=app_label, codename__in=codenames)
    root = Collection.get_first_root_node()
    if root is None:  # Wagtail's migrations make it; a flushed test database has none
        return True
    for permission in Permission.objects.filter(libraries):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=root, permission=permission)
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


def _pdf_languages() -> list[str]:
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES]


def standard_pdf_versions_affected(page: Page) -> list[int]:
    """The versions whose PDF prints what `page` holds: its own version (a version page or a
    module with its items), and the version a version page supersedes (its PDF names the
    successor)."""
    specific = page.specific
    if isinstance(specific, StandardVersionPage):
        return [specific.pk, *([specific.supersedes_id] if specific.supersedes_id else [])]
    version = StandardVersionPage.objects.ancestor_of(page).first()
    return [version.pk] if version is not None else []


def standard_pdf_publish(*, version_id: int, now: datetime.datetime | None = None) -> None:
    """What a publish of the version (or of one of its modules) does to its PDFs: every
    language's stored PDF stops being current at once, and a task renders each anew once the
    publish commits. Called on every publish; many in one transaction (an import) queue one
    render per language. With `CMS_STANDARD_PDF_ON_PUBLISH` off the PDFs only go stale."""
    from django.conf import settings
    from django.utils import timezone

    from .models import StandardPdf

    now = now or timezone.now()
    if not getattr(settings, "CMS_STANDARD_PDF_ON_PUBLISH", True):
        # Stale all the same; the first download queues the render.
        StandardPdf.objects.filter(version_id=version_id).update(requested_at=now)
        return
    for language in _pdf_languages():
        StandardPdf.objects.update_or_create(version_id=version_id, language=language,
                                             defaults={"requested_at": now})
    transaction.on_commit(lambda: _standard_pdf_queue_all(version_id=version_id))


def _standard_pdf_queue_all(*, version_id: int) -> None:
    from .models import StandardPdf

    for pdf in StandardPdf.objects.filter(version_id=version_id):
        _standard_pdf_queue(pdf)


def _standard_pdf_queue(pdf: Any) -> None:
    """Queue the render of `pdf` once per publish, however many publishes of one transaction
    or readers ask. The marker expires, so a render lost with its worker is queued again."""
    from .tasks import standard_pdf_store_task

    marker = f"cms:pdf:queued:{pdf.version_id}:{pdf.language}:{pdf.requested_at.timestamp()}"
    if cache.add(marker, True, timeout=300):
        task_queue(standard_pdf_store_task, version_id=pdf.version_id, language=pdf.language)


def standard_pdf_name(*, version: StandardVersionPage, language: str,
                      published: datetime.datetime) -> str:
    return f"standard/{version.slug}/{version.slug}-{language}-{published:%Y%m%d%H%M%S%f}.pdf"


def standard_pdf_store(*, version_id: int, language: str) -> int:
    """Render a version's PDF for its last publish into the storage (every web node serves it)
    unless the stored one is current. Run by a task, never in a request: a whole version takes
    WeasyPrint seconds. Safe to run twice, and two renders racing keep the newer publish's
    file. Returns the size in bytes (0 for a version no longer live)."""
    import time

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from .models import StandardPdf

    pdf = StandardPdf.objects.filter(version_id=version_id, language=language).first()
    version = StandardVersionPage.objects.live().filter(pk=version_id).first()
    if pdf is None or version is None:
        return 0
    if pdf.is_current:
        return int(pdf.file.size)
    published = pdf.requested_at
    started = time.monotonic()
    content = standard_pdf_render(version=version, language=language)
    seconds = time.monotonic() - started
    storage = pdf.file.storage
    name = standard_pdf_name(version=version, language=language, published=published)
    if storage.exists(name):  # left by a render whose worker died before it committed
        storage.delete(name)
    name = storage.save(name, ContentFile(content))
    with transaction.atomic():
        pdf = StandardPdf.objects.select_for_update().get(pk=pdf.pk)
        if pdf.rendered_for is not None and pdf.rendered_for >= published:
            transaction.on_commit(lambda: storage.delete(name))  # a newer render won
            return len(content)
        old_name = pdf.file.name
        pdf.file.name = name
        pdf.rendered_for = published
        pdf.rendered_at = timezone.now()
        pdf.render_seconds = round(seconds, 2)
        pdf.save(update_fields=["file", "rendered_for", "rendered_at", "render_seconds"])
        if old_name and old_name != name:
            transaction.on_commit(lambda: storage.delete(old_name))
    return len(content)


def standard_pdf_request(*, version: StandardVersionPage, language: str) -> Any | None:
    """The version's current PDF (a `StandardPdf` whose file is from the last publish), or None
    while it renders, making sure a render is queued (for a version published before PDFs were
    rendered on publish, or one whose render was lost). With Celery eager (`make run`) a
    missing one is rendered at once."""
    from django.utils import timezone

    from .models import StandardPdf

    pdf, _created = StandardPdf.objects.get_or_create(
        version=version, language=language, defaults={"requested_at": timezone.now()})
    if pdf.is_current:
        return pdf
    _standard_pdf_queue(pdf)
    pdf.refresh_from_db()
    return pdf if pdf.is_current else None
