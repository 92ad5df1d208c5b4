"""The 12 months of KPI data as the applicant gives them, whatever the route (the page's form,
the xlsx template, the API's JSON): a grid of rows, each a month followed by the numerator and
the denominator of every KPI of the catalogue (`reviews.kpis.KPI_DEFINITIONS`, in its order).
`grid_check` validates it and names the cell of every problem (all of them, not only the
first); `template_tables` and `workbook_read` are the xlsx template and its reader. Pure: no
database, no clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _

from core.exports import Table
from core.uploads import xlsx_open

from .errors import ReviewError
from .kpis import KPI_DEFINITIONS

MONTHS = 12
KPI_ORDER: list[str] = list(KPI_DEFINITIONS)
PARTS = ("numerator", "denominator")
# After the month (column 0): each KPI's numerator then denominator.
COLUMNS: list[tuple[str, str]] = [(kpi, part) for kpi in KPI_ORDER for part in PARTS]
# The template's sheets (fixed names: the reader looks for them).
DATA_SHEET = "数据"
PARAMETERS_SHEET = "参数"
DEFINITIONS_SHEET = "说明"
# The largest count a month may hold (what KpiMonth's columns can store, with room).
MAX_COUNT = Decimal("1e12")
CENT = Decimal("0.01")

Locate = Callable[[int, int], str]  # (row index, column index; 0 = the month) → where


class KpiDataInvalid(ReviewError):
    """The figures break one or more rules; `messages` names the cell of each. Nothing was
    saved."""


@dataclass(frozen=True)
class Parameters:
    """What the figures were counted with (stated with the data set)."""

    service_level_seconds: int = 20
    short_abandon_seconds: int = 5
    fcr_window_days: int = 7


PARAMETER_FIELDS = ("service_level_seconds", "short_abandon_seconds", "fcr_window_days")
PARAMETER_BOUNDS = {"service_level_seconds": (1, 600), "short_abandon_seconds": (0, 120),
                    "fcr_window_days": (1, 90)}


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # the first day
    counts: dict[str, tuple[Decimal, Decimal]]  # kpi → (numerator, denominator)


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_ending_before(today: dt.date) -> list[dt.date]:
    """The 12 whole months before `today`'s month: what the template suggests."""
    first = month_add(today.replace(day=1), -MONTHS)
    return [month_add(first, i) for i in range(MONTHS)]


def month_text(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def number_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:[-/.]\s*\d{1,2}\s*日?)?\s*$")


def month_parse(value: Any) -> dt.date | None:
    """A month from a cell: a date (any day of it) or text such as 2026-03, 2026/3, 2026年3月."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    match = _MONTH.match(str(value)) if isinstance(value, str) else None
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1900 <= year <= 2999):
        return None
    return dt.date(year, month, 1)


def number_parse(value: Any) -> Decimal | None:
    """A number from a cell (int, float, Decimal, or text with optional thousands commas);
    None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def kpi_part_label(kpi: str, part: str) -> str:
    definition = KPI_DEFINITIONS[kpi]
    label = definition.numerator if part == "numerator" else definition.denominator
    return f"{definition.kpi.label} · {label}"


def _value_check(raw: Any, where: str, part: str, errors: list[str]) -> Decimal | None:
    if _blank(raw):
        errors.append(_("%(where)s: the %(part)s is missing.") % {
            "where": where, "part": _("numerator") if part == "numerator" else _("denominator")})
        return None
    number = number_parse(raw)
    if number is None:
        errors.append(_("%(where)s: “%(value)s” is not a number.") % {
            "where": where, "value": str(raw)[:40]})
        return None
    if number < 0:
        errors.append(_("%(where)s: %(value)s is negative; counts are zero or more.") % {
            "where": where, "value": number_text(number)})
        return None
    if number >= MAX_COUNT:
        errors.append(_("%(where)s: %(value)s is larger than any month's count can be.") % {
            "where": where, "value": number_text(number)})
        return None
    return number.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _months_check(months: list[tuple[int, dt.date]], *, locate: Locate,
                  errors: list[str]) -> None:
    seen: dict[dt.date, int] = {}
    previous: dt.date | None = None
    for index, month in months:
        if month in seen:
            errors.append(_("%(where)s: %(month)s appears twice (also at %(other)s).") % {
                "where": locate(index, 0), "month": month_text(month),
                "other": locate(seen[month], 0)})
            continue
        seen[month] = index
        if previous is not None and month != month_add(previous, 1):
            errors.append(_("%(where)s: %(month)s follows %(previous)s; the months must be "
                            "consecutive, so %(expected)s is expected here.") % {
                "where": locate(index, 0), "month": month_text(month),
                "previous": month_text(previous),
                "expected": month_text(month_add(previous, 1))})
        previous = month


def grid_check(rows: Sequence[Sequence[Any]], *, locate: Locate,
               where: str) -> list[MonthFigures]:
    """The 12 months of `rows` (each: the month, then the numerator and denominator of each
    KPI in `COLUMNS` order; blank rows are left out), or KpiDataInvalid naming the cell
    (`locate(row index, column index)`) of every problem: a month missing or unreadable, months
    not 12 consecutive ones (a duplicate, a gap, fewer or more), a count missing, not a number,
    negative or too large, a zero denominator, a numerator larger than its denominator for a
    rate (a rate outside 0–100 %). `where` names the whole grid (for the count of months)."""
    errors: list[str] = []
    months: list[tuple[int, dt.date]] = []
    figures: list[MonthFigures] = []
    given = 0
    for index, row in enumerate(rows):
        cells = list(row) + [None] * (1 + len(COLUMNS) - len(row))
        if all(_blank(cell) for cell in cells[:1 + len(COLUMNS)]):
            continue
        given += 1
        month = month_parse(cells[0])
        if month is None:
            if _blank(cells[0]):
                errors.append(_("%(where)s: the month is missing.") % {
                    "where": locate(index, 0)})
            else:
                errors.append(_("%(where)s: “%(value)s” is not a month; write it as 2026-03.")
                              % {"where": locate(index, 0), "value": str(cells[0])[:40]})
        else:
            months.append((index, month))
        counts: dict[str, tuple[Decimal, Decimal]] = {}
        for kpi in KPI_ORDER:
            column = 1 + COLUMNS.index((kpi, "numerator"))
            numerator = _value_check(cells[column], locate(index, column), "numerator", errors)
            denominator = _value_check(cells[column + 1], locate(index, column + 1),
                                       "denominator", errors)
            if denominator is not None and denominator == 0:
                errors.append(_("%(where)s: the denominator is zero; a month with nothing to "
                                "count cannot be reported.") % {
                    "where": locate(index, column + 1)})
                continue
            if numerator is None or denominator is None:
                continue
            if KPI_DEFINITIONS[kpi].is_rate and numerator > denominator:
                errors.append(_("%(where)s: the numerator %(numerator)s is larger than the "
                                "denominator %(denominator)s (a rate of %(rate)s %%, outside "
                                "0–100 %%).") % {
                    "where": locate(index, column), "numerator": number_text(numerator),
                    "denominator": number_text(denominator),
                    "rate": number_text((numerator * 100 / denominator).quantize(
                        Decimal("0.1")))})
                continue
            counts[kpi] = (numerator, denominator)
        if month is not None:
            figures.append(MonthFigures(month=month, counts=counts))
    _months_check(months, locate=locate, errors=errors)
    if given != MONTHS:
        errors.append(_("%(where)s: %(count)d months are given; 12 consecutive months are "
                        "needed.") % {"where": where, "count": given})
    if errors:
        raise KpiDataInvalid(errors)
    return sorted(figures, key=lambda f: f.month)


# --------------------------------------------------------------------------- the template


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def parameter_labels() -> list[tuple[str, str]]:
    return [("service_level_seconds", _("Service-level threshold Y (seconds)")),
            ("short_abandon_seconds", _("Short-abandon threshold (seconds)")),
            ("fcr_window_days", _("FCR window (days)"))]


def template_tables(*, months: Sequence[dt.date],
                    figures: dict[dt.date, dict[str, tuple[Decimal, Decimal]]],
                    parameters: Parameters) -> list[Table]:
    """The template's three sheets, headed in Chinese: 数据 (a month per row, each KPI's
    numerator and denominator; filled with `figures` where given), 参数 (the stated
    parameters) and 说明 (each KPI's definition, numerator, denominator and unit)."""
    with translation.override("zh-hans"):
        header = [_("Month (YYYY-MM)")]
        for kpi, part in COLUMNS:
            definition = KPI_DEFINITIONS[kpi]
            header.append(
                _("%(kpi)s: %(count)s (numerator)") % {"kpi": definition.kpi.label,
                                                       "count": definition.numerator}
                if part == "numerator" else
                _("%(kpi)s: %(count)s (denominator)") % {"kpi": definition.kpi.label,
                                                         "count": definition.denominator})
        data = Table(title=DATA_SHEET, header=header)
        for month in months:
            counts = figures.get(month, {})
            row: list[Any] = [month_text(month)]
            for kpi, part in COLUMNS:
                pair = counts.get(kpi)
                row.append(None if pair is None else pair[PARTS.index(part)].normalize())
            data.append(row)
        params = Table(title=PARAMETERS_SHEET, header=[_("Parameter"), _("Value")])
        for field, label in parameter_labels():
            params.append([str(label), getattr(parameters, field)])
        definitions = Table(title=DEFINITIONS_SHEET, header=[
            _("KPI"), _("Definition"), _("Numerator"), _("Denominator"), _("Unit")])
        for kpi in KPI_ORDER:
            definition = KPI_DEFINITIONS[kpi]
            definitions.append([str(definition.kpi.label), str(definition.definition),
                                str(definition.numerator), str(definition.denominator),
                                str(definition.unit.label)])
    return [data, params, definitions]


def sheet_cell(sheet: str, row_number: int, column: int) -> str:
    return _("Sheet %(sheet)s, cell %(cell)s") % {
        "sheet": sheet, "cell": f"{column_letter(column)}{row_number}"}


def _parameters_read(rows: list[tuple[int, list[Any]]], errors: list[str]) -> Parameters:
    values: dict[str, int] = {}
    by_row = dict(rows)
    for offset, field in enumerate(PARAMETER_FIELDS):
        row_number = offset + 2
        cells = by_row.get(row_number, [])
        raw = cells[1] if len(cells) > 1 else None
        number = number_parse(raw)
        low, high = PARAMETER_BOUNDS[field]
        if number is None or number != number.to_integral_value() or not low <= number <= high:
            errors.append(_("%(where)s: “%(value)s” is not a whole number from %(low)d to "
                            "%(high)d.") % {
                "where": sheet_cell(PARAMETERS_SHEET, row_number, 1),
                "value": "" if raw is None else str(raw)[:40], "low": low, "high": high})
            continue
        values[field] = int(number)
    return Parameters(**values)


def workbook_read(content: bytes | IO[bytes]) -> tuple[list[MonthFigures], Parameters | None]:
    """The months (and the parameters, when the 参数 sheet is there) of a filled template, or
    KpiDataInvalid naming every cell in error (the workbook's own limits: core.uploads)."""
    book = xlsx_open(content, unreadable=lambda: KpiDataInvalid(
        _("The file is not an Excel workbook (.xlsx): download the template and fill it in.")))
    try:
        if DATA_SHEET not in book.sheetnames:
            raise KpiDataInvalid(_("The workbook has no sheet named %(sheet)s: download the "
                                   "template and fill it in.") % {"sheet": DATA_SHEET})
        numbers: list[int] = []
        rows: list[list[Any]] = []
        for number, values in book.rows(DATA_SHEET):
            if number == 1:
                continue
            numbers.append(number)
            rows.append(values)
        errors: list[str] = []
        parameters = None
        if PARAMETERS_SHEET in book.sheetnames:
            parameters = _parameters_read(list(book.rows(PARAMETERS_SHEET)), errors)
    finally:
        book.close()
    try:
        figures = grid_check(rows, where=_("Sheet %(sheet)s") % {"sheet": DATA_SHEET},
                             locate=lambda i, c: sheet_cell(DATA_SHEET, numbers[i], c))
    except KpiDataInvalid as invalid:
        raise KpiDataInvalid([*invalid.messages, *errors]) from None
    if errors:
        raise KpiDataInvalid(errors)
    return figures, parameters
