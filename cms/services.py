"""Writes for the standard: the importer, editor permissions, page caches and the PDF."""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

import yaml
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page

from core.models import ImportJob
from core.services import audit_record, import_job_create, import_job_run, task_queue
from core.uploads import IMPORT_LIMITS, UploadRefused, xlsx_open, yaml_load

from .models import (
    EVIDENCE_KINDS,
    MODULE_NAMES,
    HomePage,
    StandardIndexPage,
    StandardItem,
    StandardModulePage,
    StandardVersionPage,
    item_code_validator,
)
from .selectors import CACHE_GENERATION_KEY

EVIDENCE_CODES = [kind for kind, _label in EVIDENCE_KINDS]
ITEM_FIELDS = ["title", "title_en", "requirement", "requirement_en", "guidance", "guidance_en"]
VERSION_FIELDS = ["title_en", "publisher", "issued_on", "effective_on", "is_sample", "intro",
                  "intro_en"]
MODULE_FIELDS = ["title_en", "pass_rate", "intro", "intro_en"]


class StandardImportError(ValidationError):
    """A structured file that cannot be imported; each message names the row or path."""


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


def standard_index_ensure(*, home: HomePage) -> StandardIndexPage:
    index = StandardIndexPage.objects.first()
    if index is None:
        index = StandardIndexPage(
            title="标准",
            title_en="The standard",
            slug="standard",
            intro="<p>CCSO 呼叫中心标准全文与指南，任何人无需注册即可免费阅读。</p>",
            intro_en="<p>The full text of the CCSO contact-centre standard and its guidance, "
            "free to read for everyone without an account.</p>",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


# --- the importer ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    version_code: str = ""
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_file: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        dry = " (dry run: nothing saved)" if self.dry_run else ""
        out = [f"{self.version_code}: {len(self.created)} created, {len(self.updated)} updated, "
               f"{self.unchanged} unchanged{dry}"]
        out += [f"  + {line}" for line in self.created]
        out += [f"  ~ {line}" for line in self.updated]
        out += [f"  ! not in the file, kept: {line}" for line in self.not_in_file]
        return out


class _DryRun(Exception):
    pass


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(value: Any, where: str, errors: list[str]) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(f"{where}: “{value}” is not a date (use YYYY-MM-DD)")
        return None


def _validated(data: Any) -> dict[str, Any]:
    """Check the whole structure before writing anything; collect every error with its path."""
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("standard"), dict):
        raise StandardImportError(_("The file has no “standard:” section."))
    std = data["standard"]
    version: dict[str, Any] = {
        "code": _text(std.get("code")),
        "title": _text(std.get("title")),
        "title_en": _text(std.get("title_en")),
        "slug": _text(std.get("slug")),
        "publisher": _text(std.get("publisher")),
        "issued_on": _date(std.get("issued_on"), "standard.issued_on", errors),
        "effective_on": _date(std.get("effective_on"), "standard.effective_on", errors),
        "supersedes": _text(std.get("supersedes")),
        "is_sample": bool(std.get("sample", False)),
        "intro": _text(std.get("intro")),
        "intro_en": _text(std.get("intro_en")),
    }
    if not version["code"]:
        errors.append("standard.code: missing (e.g. YD/T 2823-2015)")
    if not version["title"]:
        errors.append("standard.title: missing")
    version["slug"] = version["slug"] or slugify(version["code"].replace("/", "-"))
    modules_raw = data.get("modules")
    if not isinstance(modules_raw, list) or not modules_raw:
        errors.append("modules: missing or empty")
        modules_raw = []
    modules: list[dict[str, Any]] = []
    numbers: set[int] = set()
    codes: dict[str, str] = {}
    for m_index, raw in enumerate(modules_raw, start=1):
        where = str(raw.get("_where") or f"modules[{m_index}]") if isinstance(raw, dict) else (
            f"modules[{m_index}]")
        if not isinstance(raw, dict):
            errors.append(f"{where}: expected a mapping")
            continue
        try:
            number = int(raw.get("number"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            errors.append(f"{where}: number must be 1–9")
            continue
        if number not in MODULE_NAMES:
            errors.append(f"{where}: number must be 1–9, not {number}")
            continue
        if number in numbers:
            errors.append(f"{where}: module {number} appears twice")
        numbers.add(number)
        try:
            pass_rate = Decimal(str(raw.get("pass_rate", "80"))).quantize(Decimal("0.01"))
            if not Decimal(0) <= pass_rate <= Decimal(100):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"{where} (module {number}): pass_rate must be a number 0–100")
            pass_rate = Decimal("0")
        module: dict[str, Any] = {
            "number": number,
            "title": _text(raw.get("title")) or MODULE_NAMES[number][0],
            "title_en": _text(raw.get("title_en")) or MODULE_NAMES[number][1],
            "pass_rate": pass_rate,
            "intro": _text(raw.get("intro")),
            "intro_en": _text(raw.get("intro_en")),
            "items": [],
        }
        items_raw = raw.get("items") or []
        if not isinstance(items_raw, list):
            errors.append(f"{where}.items: expected a list")
            items_raw = []
        for i_index, item_raw in enumerate(items_raw, start=1):
            item_where = f"{where}.items[{i_index}]"
            if not isinstance(item_raw, dict):
                errors.append(f"{item_where}: expected a mapping")
                continue
            item_where = str(item_raw.get("_where") or item_where)
            code = _text(item_raw.get("code"))
            label = f"{item_where} (item {code or '?'})"
            try:
                item_code_validator(code)
            except ValidationError:
                errors.append(f"{label}: code “{code}” must look like 4.2.3")
            if code in codes:
                errors.append(f"{label}: code {code} already used at {codes[code]}")
            codes[code] = item_where
            item: dict[str, Any] = {name: _text(item_raw.get(name)) for name in ITEM_FIELDS}
            item["code"] = code
            for required in ("title", "requirement"):
                if not item[required]:
                    errors.append(f"{label}: {required} is missing")
            evidence = item_raw.get("evidence") or []
            if isinstance(evidence, str):
                evidence = [e.strip() for e in evidence.replace("，", ",").split(",") if e.strip()]
            unknown = [e for e in evidence if e not in EVIDENCE_CODES]
            if unknown:
                errors.append(
                    f"{label}: unknown evidence {', '.join(map(str, unknown))} "
                    f"(use {', '.join(EVIDENCE_CODES)})"
                )
            for kind in EVIDENCE_CODES:
                item[f"evidence_{kind}"] = kind in evidence
            module["items"].append(item)
        modules.append(module)
    if errors:
        raise StandardImportError(errors)
    return {"version": version, "modules": sorted(modules, key=lambda m: m["number"])}


def _diff(obj: Any, values: dict[str, Any], names: Iterable[str]) -> list[str]:
    changed = []
    for name in names:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed.append(name)
    return changed


def standard_import(
    *, data: Any, user: Any = None, dry_run: bool = False, prune: bool = False
) -> ImportReport:
    """Load or update a whole standard version from parsed YAML/Excel data.

    Pages are matched by the version's code, the module number and the item code, so running
    it again changes nothing and an edited file updates in place (items keep their ids).
    Everything happens in one transaction: a bad file raises StandardImportError naming each
    bad row and nothing is written. Items in the site but not in the file are kept and reported
    (or removed with `prune`).
    """
    clean = _validated(data)
    report = ImportReport(version_code=clean["version"]["code"], dry_run=dry_run)
    try:
        with transaction.atomic():
            _apply(clean, report, user=user, prune=prune)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _publish(page: Page, user: Any) -> None:
    page.save_revision(user=user, log_action=True).publish(user=user)


def _apply(clean: dict[str, Any], report: ImportReport, *, user: Any, prune: bool) -> None:
    home = HomePage.objects.first()
    if home is None:
        raise StandardImportError(_("There is no home page yet: run `manage.py load_demo`."))
    index = standard_index_ensure(home=home)
    v = clean["version"]
    supersedes = None
    if v["supersedes"]:
        supersedes = StandardVersionPage.objects.filter(code=v["supersedes"]).first()
        if supersedes is None:
            raise StandardImportError(
                [f"standard.supersedes: no version {v['supersedes']} on the site"]
            )
    values = {k: v[k] for k in VERSION_FIELDS} | {"supersedes": supersedes}
    version = StandardVersionPage.objects.filter(code=v["code"]).first()
    if version is None:
        version = StandardVersionPage(code=v["code"], title=v["title"], slug=v["slug"], **values)
        index.add_child(instance=version)
        _publish(version, user)
        report.created.append(f"version {v['code']}")
    else:
        changed = _diff(version, values | {"title": v["title"]}, [*values, "title"])
        if changed:
            _publish(version, user)
            report.updated.append(f"version {v['code']}: {', '.join(changed)}")
        else:
            report.unchanged += 1
    existing = {m.number: m for m in StandardModulePage.objects.child_of(version)}
    for m in clean["modules"]:
        module = existing.get(m["number"])
        label = f"module {m['number']} {m['title']}"
        if module is None:
            module = StandardModulePage(
                title=m["title"], slug=f"module-{m['number']}", number=m["number"],
                **{k: m[k] for k in MODULE_FIELDS},
            )
            module.items = [  # type: ignore[assignment]
                StandardItem(sort_order=n, **item) for n, item in enumerate(m["items"])
            ]
            version.add_child(instance=module)
            _publish(module, user)
            report.created.append(f"{label} ({len(m['items'])} items)")
            report.created.extend(f"item {i['code']}" for i in m["items"])
            continue
        changed_fields = _diff(module, m, [*MODULE_FIELDS, "title"])
        if changed_fields:
            report.updated.append(f"{label}: {', '.join(changed_fields)}")
        current = {item.code: item for item in module.items.all()}
        items: list[StandardItem] = []
        item_names = [*ITEM_FIELDS, *(f"evidence_{k}" for k in EVIDENCE_CODES)]
        for n, values_i in enumerate(m["items"]):
            item = current.pop(values_i["code"], None)
            if item is None:
                items.append(StandardItem(sort_order=n, **values_i))
                report.created.append(f"item {values_i['code']}")
                continue
            changed = _diff(item, values_i, item_names)
            if item.sort_order != n:
                item.sort_order = n
                changed = changed or ["order"]
            if changed:
                report.updated.append(f"item {item.code}: {', '.join(changed)}")
            else:
                report.unchanged += 1
            items.append(item)
        for leftover in current.values():
            if prune:
                report.updated.append(f"item {leftover.code}: removed")
            else:
                report.not_in_file.append(f"item {leftover.code}")
                leftover.sort_order = len(items)
                items.append(leftover)
        if changed_fields or _items_changed(module, items):
            module.items = items  # type: ignore[assignment]
            _publish(module, user)
        else:
            report.unchanged += 1
    if report.changed:
        audit_record(
            actor=user, action="cms.standard.imported", target=version,
            data={"created": len(report.created), "updated": len(report.updated)},
        )


def _items_changed(module: StandardModulePage, items: list[StandardItem]) -> bool:
    saved = {i.pk: i for i in StandardItem.objects.filter(module=module)}
    if len(saved) != len(items):
        return True
    for item in items:
        before = saved.get(item.pk)
        if before is None or before.sort_order != item.sort_order:
            return True
        names = [*ITEM_FIELDS, *(f"evidence_{k}" for k in EVIDENCE_CODES)]
        if any(getattr(before, n) != getattr(item, n) for n in names):
            return True
    return False


# --- file formats ---------------------------------------------------------------------------


def standard_file_parse(*, name: str, content: bytes | IO[bytes]) -> Any:
    """Read a YAML (.yaml/.yml) or Excel (.xlsx) standard file into the importer's structure,
    within core.uploads' limits (size, unpacking, rows, cells, YAML aliases and depth)."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            return _yaml_parse(name, content)
        if suffix == ".xlsx":
            return _xlsx_parse(name, content)
    except UploadRefused as refused:
        raise StandardImportError([f"{name}: {m}" for m in refused.messages]) from refused
    raise StandardImportError([f"{name}: use a .yaml, .yml or .xlsx file"])


def _yaml_parse(name: str, content: bytes | IO[bytes]) -> Any:
    try:
        return yaml_load(content, limits=IMPORT_LIMITS)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise StandardImportError(
            [f"{name}: not valid YAML{where}: {getattr(error, 'problem', error)}"]
        ) from error


def _xlsx_parse(name: str, content: bytes | IO[bytes]) -> dict[str, Any]:
    """Sheets `standard` (key | value rows), `modules` (header row: number, title, title_en,
    pass_rate, intro, intro_en) and `items` (header row: module, code, title, title_en,
    requirement, requirement_en, guidance, guidance_en, evidence)."""
    book = xlsx_open(content, limits=IMPORT_LIMITS, unreadable=lambda: StandardImportError(
        [f"{name}: not a readable .xlsx file"]))
    missing = [s for s in ("standard", "modules", "items") if s not in book.sheetnames]
    if missing:
        raise StandardImportError([f"{name}: sheet(s) missing: {', '.join(missing)}"])

    def rows(sheet: str) -> list[tuple[int, dict[str, Any]]]:
        values = [row for _n, row in book.rows(sheet)]
        if not values:
            return []
        header = [_text(h).lower() for h in values[0]]
        return [
            (n, dict(zip(header, row, strict=False)))
            for n, row in enumerate(values[1:], start=2)
            if any(cell not in (None, "") for cell in row)
        ]

    standard = {
        _text(row[0]).lower(): row[1]
        for _n, row in book.rows("standard")
        if row and row[0]
    }
    modules: dict[int, dict[str, Any]] = {}
    result_modules: list[dict[str, Any]] = []
    for n, row in rows("modules"):
        module = {**row, "_where": f"sheet modules, row {n}", "items": []}
        result_modules.append(module)
        with contextlib.suppress(TypeError, ValueError):
            modules[int(row.get("number"))] = module  # type: ignore[arg-type]
    errors = []
    for n, row in rows("items"):
        try:
            target = modules[int(row.get("module"))]  # type: ignore[arg-type]
        except (TypeError, ValueError, KeyError):
            errors.append(f"sheet items, row {n}: module “{row.get('module')}” is not in modules")
            continue
        target["items"].append({**row, "_where": f"sheet items, row {n}"})
    if errors:
        raise StandardImportError(errors)
    return {"standard": standard, "modules": result_modules}


def standard_import_file(
    *, name: str, content: bytes | IO[bytes], user: Any = None, dry_run: bool = False,
    prune: bool = False,
) -> ImportReport:
    return standard_import(
        data=standard_file_parse(name=name, content=content), user=user, dry_run=dry_run,
        prune=prune,
    )


STANDARD_IMPORT_KIND = "cms.standard"


def standard_import_start(*, upload: UploadedFile, user: Any, dry_run: bool) -> ImportJob:
    """Store the upload and import it in a Celery task; the admin page follows the job."""
    from .tasks import standard_import_run  # the task module imports this one

    return import_job_create(kind=STANDARD_IMPORT_KIND, upload=upload, actor=user,
                             task=standard_import_run, options={"dry_run": dry_run})


def standard_import_job_run(*, job_id: int) -> None:
    def work(handle: IO[bytes], options: dict[str, Any],
             progress: Callable[[int, int], None]) -> dict[str, Any]:
        job = ImportJob.objects.select_related("created_by").get(pk=job_id)
        report = standard_import_file(name=job.filename, content=handle, user=job.created_by,
                                      dry_run=bool(options.get("dry_run")))
        return {"lines": report.lines()}

    import_job_run(job_id=job_id, work=work)


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
