"""The standard importer: a whole standard version from YAML or Excel, validated before
anything is written, applied in one transaction, matched by code so a rerun changes nothing
(docs/standard-import.md). Its messages name the row or path and are in the reader's language."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.models import Page

from accounts.models import User
from core.models import ImportJob
from core.services import audit_record, import_job_create, import_job_run

from .errors import StandardImportError
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
from .selectors import items_referenced
from .standard_files import cell_text, standard_file_parse

EVIDENCE_CODES = [kind for kind, _label in EVIDENCE_KINDS]
ITEM_FIELDS = ["title", "title_en", "requirement", "requirement_en", "guidance", "guidance_en"]
VERSION_FIELDS = ["title_en", "publisher", "issued_on", "effective_on", "is_sample", "intro",
                  "intro_en"]
MODULE_FIELDS = ["title_en", "pass_rate", "intro", "intro_en"]
STANDARD_IMPORT_KIND = "cms.standard"


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
        errors.append(_("%(where)s: “%(value)s” is not a date (use YYYY-MM-DD)")
                      % {"where": where, "value": value})
        return None



# --- validating: the whole structure, every error with its path, before anything is written --


def _validated(data: Any) -> dict[str, Any]:
    """Check the whole structure before writing anything; collect every error with its path."""
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("standard"), dict):
        raise StandardImportError(_("The file has no “standard:” section."))
    version = _version_validated(data["standard"], errors)
    modules_raw = data.get("modules")
    if not isinstance(modules_raw, list) or not modules_raw:
        errors.append(_("modules: missing or empty"))
        modules_raw = []
    modules: list[dict[str, Any]] = []
    numbers: set[int] = set()
    codes: dict[str, str] = {}  # item code: where it first appears
    for m_index, raw in enumerate(modules_raw, start=1):
        module = _module_validated(raw, m_index, numbers=numbers, codes=codes, errors=errors)
        if module is not None:
            modules.append(module)
    if errors:
        raise StandardImportError(errors)
    return {"version": version, "modules": sorted(modules, key=lambda m: m["number"])}


def _version_validated(std: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    version: dict[str, Any] = {
        "code": cell_text(std.get("code")),
        "title": cell_text(std.get("title")),
        "title_en": cell_text(std.get("title_en")),
        "slug": cell_text(std.get("slug")),
        "publisher": cell_text(std.get("publisher")),
        "issued_on": _date(std.get("issued_on"), "standard.issued_on", errors),
        "effective_on": _date(std.get("effective_on"), "standard.effective_on", errors),
        "supersedes": cell_text(std.get("supersedes")),
        "is_sample": bool(std.get("sample", False)),
        "intro": cell_text(std.get("intro")),
        "intro_en": cell_text(std.get("intro_en")),
    }
    if not version["code"]:
        errors.append(_("standard.code: missing (e.g. YD/T 2823-2015)"))
    if not version["title"]:
        errors.append(_("standard.title: missing"))
    version["slug"] = version["slug"] or slugify(version["code"].replace("/", "-"))
    return version


def _module_validated(raw: Any, m_index: int, *, numbers: set[int], codes: dict[str, str],
                      errors: list[str]) -> dict[str, Any] | None:
    """One module with its items; None when it cannot be read at all (the error is noted)."""
    where = str(raw.get("_where") or f"modules[{m_index}]") if isinstance(raw, dict) else (
        f"modules[{m_index}]")
    if not isinstance(raw, dict):
        errors.append(_("%(where)s: expected a mapping") % {"where": where})
        return None
    try:
        number = int(raw.get("number"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors.append(_("%(where)s: number must be 1–9") % {"where": where})
        return None
    if number not in MODULE_NAMES:
        errors.append(_("%(where)s: number must be 1–9, not %(number)s")
                      % {"where": where, "number": number})
        return None
    if number in numbers:
        errors.append(_("%(where)s: module %(number)s appears twice")
                      % {"where": where, "number": number})
    numbers.add(number)
    try:
        pass_rate = Decimal(str(raw.get("pass_rate", "80"))).quantize(Decimal("0.01"))
        if not Decimal(0) <= pass_rate <= Decimal(100):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(_("%(where)s (module %(number)s): pass_rate must be a number 0–100")
                      % {"where": where, "number": number})
        pass_rate = Decimal("0")
    items_raw = raw.get("items") or []
    if not isinstance(items_raw, list):
        errors.append(_("%(where)s.items: expected a list") % {"where": where})
        items_raw = []
    items = [
        item for i_index, item_raw in enumerate(items_raw, start=1)
        if (item := _item_validated(item_raw, f"{where}.items[{i_index}]", codes=codes,
                                    errors=errors)) is not None
    ]
    return {
        "number": number,
        "title": cell_text(raw.get("title")) or MODULE_NAMES[number][0],
        "title_en": cell_text(raw.get("title_en")) or MODULE_NAMES[number][1],
        "pass_rate": pass_rate,
        "intro": cell_text(raw.get("intro")),
        "intro_en": cell_text(raw.get("intro_en")),
        "items": items,
    }


def _item_validated(item_raw: Any, item_where: str, *, codes: dict[str, str],
                    errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(item_raw, dict):
        errors.append(_("%(where)s: expected a mapping") % {"where": item_where})
        return None
    item_where = str(item_raw.get("_where") or item_where)
    code = cell_text(item_raw.get("code"))
    label = _("%(where)s (item %(code)s)") % {"where": item_where, "code": code or "?"}
    try:
        item_code_validator(code)
    except ValidationError:
        errors.append(_("%(where)s: code “%(code)s” must look like 4.2.3")
                      % {"where": label, "code": code})
    if code in codes:
        errors.append(_("%(where)s: code %(code)s already used at %(first)s")
                      % {"where": label, "code": code, "first": codes[code]})
    codes[code] = item_where
    item: dict[str, Any] = {name: cell_text(item_raw.get(name)) for name in ITEM_FIELDS}
    item["code"] = code
    for required in ("title", "requirement"):
        if not item[required]:
            errors.append(_("%(where)s: %(field)s is missing")
                          % {"where": label, "field": required})
    evidence = item_raw.get("evidence") or []
    if isinstance(evidence, str):
        evidence = [e.strip() for e in evidence.replace("，", ",").split(",") if e.strip()]
    unknown = [e for e in evidence if e not in EVIDENCE_CODES]
    if unknown:
        errors.append(_("%(where)s: unknown evidence %(unknown)s (use %(known)s)")
                      % {"where": label, "unknown": ", ".join(map(str, unknown)),
                         "known": ", ".join(EVIDENCE_CODES)})
    for kind in EVIDENCE_CODES:
        item[f"evidence_{kind}"] = kind in evidence
    return item


# --- applying: one transaction, pages matched by code, a published revision per change -------


def _diff(obj: Any, values: dict[str, Any], names: Iterable[str]) -> list[str]:
    changed = []
    for name in names:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed.append(name)
    return changed


def standard_import(
    *, data: Any, user: User | None = None, dry_run: bool = False, prune: bool = False
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


def _publish(page: Page, user: User | None) -> None:
    page.save_revision(user=user, log_action=True).publish(user=user)



def _apply(clean: dict[str, Any], report: ImportReport, *, user: User | None, prune: bool) -> None:
    version = _version_apply(clean["version"], report, user=user)
    existing = {m.number: m for m in StandardModulePage.objects.child_of(version)}
    for m in clean["modules"]:
        module = existing.get(m["number"])
        if module is None:
            _module_create(version, m, report, user=user)
        else:
            _module_update(module, m, report, user=user, prune=prune)
    if report.changed:
        audit_record(
            actor=user, action="cms.standard.imported", target=version,
            data={"created": len(report.created), "updated": len(report.updated)},
        )


def _version_apply(v: dict[str, Any], report: ImportReport, *,
                   user: User | None) -> StandardVersionPage:
    """The version page under the standard index: created, updated, or left as it is."""
    home = HomePage.objects.first()
    if home is None:
        raise StandardImportError(_("There is no home page yet: run `manage.py load_demo`."))
    index = standard_index_ensure(home=home)
    supersedes = None
    if v["supersedes"]:
        supersedes = StandardVersionPage.objects.filter(code=v["supersedes"]).first()
        if supersedes is None:
            raise StandardImportError(
                [_("standard.supersedes: no version %(code)s on the site")
                 % {"code": v["supersedes"]}]
            )
    values = {k: v[k] for k in VERSION_FIELDS} | {"supersedes": supersedes}
    version = StandardVersionPage.objects.filter(code=v["code"]).first()
    if version is None:
        version = StandardVersionPage(code=v["code"], title=v["title"], slug=v["slug"], **values)
        index.add_child(instance=version)
        _publish(version, user)
        report.created.append(f"version {v['code']}")
        return version
    changed = _diff(version, values | {"title": v["title"]}, [*values, "title"])
    if changed:
        _publish(version, user)
        report.updated.append(f"version {v['code']}: {', '.join(changed)}")
    else:
        report.unchanged += 1
    return version


def _module_create(version: StandardVersionPage, m: dict[str, Any], report: ImportReport, *,
                   user: User | None) -> None:
    module = StandardModulePage(
        title=m["title"], slug=f"module-{m['number']}", number=m["number"],
        **{k: m[k] for k in MODULE_FIELDS},
    )
    module.items = [  # type: ignore[assignment]
        StandardItem(sort_order=n, **item) for n, item in enumerate(m["items"])
    ]
    version.add_child(instance=module)
    _publish(module, user)
    report.created.append(f"module {m['number']} {m['title']} ({len(m['items'])} items)")
    report.created.extend(f"item {i['code']}" for i in m["items"])


def _module_update(module: StandardModulePage, m: dict[str, Any], report: ImportReport, *,
                   user: User | None, prune: bool) -> None:
    """Update the module's fields and merge its items; one new revision when anything changed."""
    changed_fields = _diff(module, m, [*MODULE_FIELDS, "title"])
    if changed_fields:
        report.updated.append(f"module {m['number']} {m['title']}: {', '.join(changed_fields)}")
    items = _items_merged(module, m["items"], report, prune=prune)
    if changed_fields or _items_changed(module, items):
        module.items = items  # type: ignore[assignment]
        _publish(module, user)
    else:
        report.unchanged += 1


def _items_merged(module: StandardModulePage, items_in_file: list[dict[str, Any]],
                  report: ImportReport, *, prune: bool) -> list[StandardItem]:
    """The module's items in the file's order, matched by code (existing ones keep their ids);
    items no longer in the file are kept at the end, or left out with `prune`."""
    current = {item.code: item for item in module.items.all()}
    items: list[StandardItem] = []
    item_names = [*ITEM_FIELDS, *(f"evidence_{k}" for k in EVIDENCE_CODES)]
    for n, values_i in enumerate(items_in_file):
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
    if prune:
        _check_unreferenced(list(current.values()))
    for leftover in current.values():
        if prune:
            report.updated.append(f"item {leftover.code}: removed")
        else:
            report.not_in_file.append(f"item {leftover.code}")
            leftover.sort_order = len(items)
            items.append(leftover)
    return items

def _check_unreferenced(items: list[StandardItem]) -> None:
    """Pruning never deletes an item that exam questions or lessons still refer to."""
    referenced = items_referenced(ids=[item.pk for item in items])
    if referenced:
        codes = {item.pk: item.code for item in items}
        raise StandardImportError([
            _("item %(code)s is not in the file but cannot be removed while other records refer "
              "to it (%(refs)s): point them at another item, or import without pruning")
            % {"code": codes[pk], "refs": ", ".join(refs)}
            for pk, refs in sorted(referenced.items())
        ])


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


def standard_import_file(
    *, name: str, content: bytes | IO[bytes], user: User | None = None, dry_run: bool = False,
    prune: bool = False,
) -> ImportReport:
    return standard_import(
        data=standard_file_parse(name=name, content=content), user=user, dry_run=dry_run,
        prune=prune,
    )


def standard_import_start(*, upload: UploadedFile, user: User | None, dry_run: bool) -> ImportJob:
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
