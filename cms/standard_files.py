"""Reading a standard file, YAML (.yaml/.yml) or Excel (.xlsx), into the importer's structure
(`cms.importing`), within core.uploads' limits. Every message names the file, sheet and row."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import IO, Any

import yaml
from django.utils.translation import gettext as _

from core.uploads import IMPORT_LIMITS, UploadRefused, xlsx_open, yaml_load

from .errors import StandardImportError


def cell_text(value: Any) -> str:
    """A cell or YAML value as text, trimmed ("" for nothing)."""
    return "" if value is None else str(value).strip()


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
    raise StandardImportError([_("%(name)s: use a .yaml, .yml or .xlsx file") % {"name": name}])


def _yaml_parse(name: str, content: bytes | IO[bytes]) -> Any:
    try:
        return yaml_load(content, limits=IMPORT_LIMITS)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", error)
        message = (
            _("%(name)s: not valid YAML at line %(line)d: %(problem)s")
            % {"name": name, "line": mark.line + 1, "problem": problem} if mark is not None
            else _("%(name)s: not valid YAML: %(problem)s") % {"name": name, "problem": problem}
        )
        raise StandardImportError([message]) from error


def _xlsx_parse(name: str, content: bytes | IO[bytes]) -> dict[str, Any]:
    """Sheets `standard` (key | value rows), `modules` (header row: number, title, title_en,
    pass_rate, intro, intro_en) and `items` (header row: module, code, title, title_en,
    requirement, requirement_en, guidance, guidance_en, evidence)."""
    book = xlsx_open(content, limits=IMPORT_LIMITS, unreadable=lambda: StandardImportError(
        [_("%(name)s: not a readable .xlsx file") % {"name": name}]))
    missing = [s for s in ("standard", "modules", "items") if s not in book.sheetnames]
    if missing:
        raise StandardImportError([_("%(name)s: sheet(s) missing: %(sheets)s")
                                   % {"name": name, "sheets": ", ".join(missing)}])

    def rows(sheet: str) -> list[tuple[int, dict[str, Any]]]:
        values = [row for _n, row in book.rows(sheet)]
        if not values:
            return []
        header = [cell_text(h).lower() for h in values[0]]
        return [
            (n, dict(zip(header, row, strict=False)))
            for n, row in enumerate(values[1:], start=2)
            if any(cell not in (None, "") for cell in row)
        ]

    standard = {
        cell_text(row[0]).lower(): row[1]
        for _n, row in book.rows("standard")
        if row and row[0]
    }
    modules: dict[int, dict[str, Any]] = {}
    result_modules: list[dict[str, Any]] = []
    for n, row in rows("modules"):
        module = {**row, "_where": _sheet_row("modules", n), "items": []}
        result_modules.append(module)
        with contextlib.suppress(TypeError, ValueError):
            modules[int(row.get("number"))] = module  # type: ignore[arg-type]
    errors = []
    for n, row in rows("items"):
        try:
            target = modules[int(row.get("module"))]  # type: ignore[arg-type]
        except (TypeError, ValueError, KeyError):
            errors.append(_("%(where)s: module “%(module)s” is not in modules")
                          % {"where": _sheet_row("items", n), "module": row.get("module")})
            continue
        target["items"].append({**row, "_where": _sheet_row("items", n)})
    if errors:
        raise StandardImportError(errors)
    return {"standard": standard, "modules": result_modules}


def _sheet_row(sheet: str, row: int) -> str:
    return _("sheet %(sheet)s, row %(row)d") % {"sheet": sheet, "row": row}
