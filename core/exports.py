"""Every spreadsheet the site hands out (.xlsx or .csv) is written here.

People put text in names, employers and questions, and a spreadsheet program runs a cell that
begins with `=`, `+`, `-` or `@` (or a tab or carriage return before one) as a formula:
`=HYPERLINK("http://evil.example/","点击")` becomes a link, `=cmd|' /C calc'!A0` a command
(OWASP "CSV injection"). So text is always written as text:

- .xlsx: a string cell stays a string (openpyxl would otherwise store `=…` as a formula), and a
  risky one carries Excel's "quote prefix" style, so editing it in Excel keeps it text. The
  value itself is unchanged, so the file reads back exactly.
- .csv: a plain text format has no cell types, so a risky cell gets a leading `'` (OWASP's rule)
  and every field is quoted. `cell_unescape` undoes exactly that, for importers reading back a
  file exported here; a text that itself begins with `'` and a trigger gets one more `'`, so the
  round trip is exact for every text.

Numbers, dates and decimals are written as such (a score of -5 is a number, not a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse

Cell = str | int | Decimal | dt.date | dt.datetime | None

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Control characters XML 1.0 cannot carry: openpyxl raises on them, so they are dropped.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")


def cell_is_risky(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def cell_escape(text: str) -> str:
    """The CSV form of a text: `'` before a formula trigger (and before an already quoted
    one, so that `cell_unescape` is its exact inverse)."""
    if cell_is_risky(text) or _ESCAPED.match(text):
        return "'" + text
    return text


def cell_unescape(text: str) -> str:
    """Undo `cell_escape`: one leading `'` goes when quotes are followed by a trigger."""
    return text[1:] if _ESCAPED.match(text) else text


@dataclass
class Table:
    """A sheet: a title (the worksheet's name), a header row and the rows below it."""

    title: str
    header: Sequence[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)

    def append(self, row: Iterable[Cell]) -> None:
        self.rows.append(list(row))


def table_xlsx(table: Table) -> bytes:
    return tables_xlsx([table])


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """A workbook with a sheet per table, in order (a template with its instructions)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(_XML_ILLEGAL.sub("", table.title)[:31] or "Sheet")

        def cell(value: Cell, sheet: object = sheet) -> object:
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)  # Excel has no time zones; callers pass local
            if not isinstance(value, str):
                return value
            written = WriteOnlyCell(sheet, value=_XML_ILLEGAL.sub("", value))
            written.data_type = "s"  # openpyxl types a leading "=" as a formula
            if cell_is_risky(value):
                written.quotePrefix = True
            return written

        for row in [table.header, *table.rows]:
            sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def table_csv(table: Table) -> bytes:
    """UTF-8 with a BOM (so Excel reads the Chinese), every field quoted, text escaped."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    for row in [table.header, *table.rows]:
        writer.writerow([cell_escape(v) if isinstance(v, str) else "" if v is None else v
                         for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "csv": "text/csv; charset=utf-8"}


def table_response(table: Table, *, filename: str, file_format: str = "xlsx") -> HttpResponse:
    """A download of `table`; `filename` without extension, `file_format` "xlsx" or "csv"."""
    if file_format != "csv":
        file_format = "xlsx"
    content = table_csv(table) if file_format == "csv" else table_xlsx(table)
    return spreadsheet_response(content, filename=filename, file_format=file_format)


def spreadsheet_response(content: bytes, *, filename: str,
                         file_format: str = "xlsx") -> HttpResponse:
    """A download of a file written by `table_xlsx` or `table_csv` (an app's export function
    hands back its bytes); `filename` without extension."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
