"""The drawn month recomputed from its source records, and compared with what was reported.
Pure: the files' rows in, counts and recomputed values out (no database, no clock).

**Staff roster** (xlsx or CSV, a header row, one row per agent; docs/reviews.md):
  工号 (agent id, unique) · 姓名 (name, optional) · 入职日期 (start date) · 离职日期 (leave date:
  the last day worked; empty while employed). For the month [first day, last day]:
  headcount at the start = started on or before the first day and not left before it;
  headcount at the end = started on or before the last day and not left on or before it;
  leavers = leave date within the month; attrition = leavers ÷ ((start + end) ÷ 2) × 100.

**Call-detail summary** (xlsx or CSV, a header row, one row per day or per interval of the
month, rows of the same day added up):
  日期 (date) · 呼入量 (offered) · 接通量 (answered) · 阈值内接通量 (answered within the
  service-level threshold) · 放弃量 (abandoned) · 短时放弃量 (abandoned within the
  short-abandon threshold, part of 放弃量) · 接通排队秒数 (queue seconds of answered contacts).
  service level = within ÷ (offered − short) × 100; answer rate = answered ÷ offered × 100;
  ASA = queue seconds ÷ answered; abandonment = (abandoned − short) ÷ (offered − short) × 100.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from core.uploads import UploadRefused, bounded_read, csv_rows, xlsx_open

from .kpi_data import KpiDataInvalid, column_letter, month_text, number_parse, number_text
from .kpis import KPI_DEFINITIONS, Kpi, KpiUnit
from .models import KpiSourceKind

# Header → field; Chinese as in the templates, English accepted too.
ROSTER_COLUMNS = {
    "agent": ("工号", "agent id"),
    "name": ("姓名", "name"),
    "start": ("入职日期", "start date"),
    "leave": ("离职日期", "leave date"),
}
ROSTER_REQUIRED = ("agent", "start", "leave")
CALL_COLUMNS = {
    "date": ("日期", "date"),
    "offered": ("呼入量", "offered"),
    "answered": ("接通量", "answered"),
    "within": ("阈值内接通量", "answered within threshold"),
    "abandoned": ("放弃量", "abandoned"),
    "short": ("短时放弃量", "short abandons"),
    "queue_seconds": ("接通排队秒数", "queue seconds of answered"),
}
COUNT_FIELDS = ("offered", "answered", "within", "abandoned", "short", "queue_seconds")
# The KPIs each kind of source records recomputes.
RECOMPUTES = {
    KpiSourceKind.ROSTER: (Kpi.ATTRITION,),
    KpiSourceKind.CALLS: (Kpi.SERVICE_LEVEL, Kpi.ANSWER_RATE, Kpi.ASA, Kpi.ABANDONMENT),
}
HUNDRED = Decimal(100)

Locate = Callable[[int, int], str]  # (row number, 0-based column) → where


@dataclass(frozen=True)
class SourceRead:
    rows: int  # data rows read
    counts: dict[str, Decimal]
    values: dict[str, Decimal]  # kpi → recomputed value in its unit


@dataclass(frozen=True)
class Comparison:
    kpi: str
    reported: Decimal
    recomputed: Decimal
    difference: Decimal  # percentage points (rates) or percent of the recomputed (seconds)
    tolerance: Decimal
    tolerance_unit: str  # "points" or "percent"
    flagged: bool


def month_last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def date_parse(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    match = _DATE.match(value.split(" ")[0] if " " in value.strip() else value)
    if match is None:
        return None
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- reading files


def _rows(content: bytes | IO[bytes], name: str) -> tuple[Iterator[tuple[int, list[Any]]],
                                                          Locate]:
    """The rows of an xlsx (first sheet) or CSV file, with how to name a cell of it."""
    raw = bounded_read(content)
    if name.lower().endswith(".csv"):
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError as error:
                raise KpiDataInvalid(_("The CSV file is neither UTF-8 nor GB18030 text.")
                                     ) from error

        def where_csv(row: int, column: int) -> str:
            return _("Row %(row)d, column %(column)s") % {"row": row,
                                                          "column": column_letter(column)}

        return csv_rows(text), where_csv
    book = xlsx_open(raw, unreadable=lambda: KpiDataInvalid(
        _("The file is neither an Excel workbook (.xlsx) nor a CSV file.")))
    sheet = book.sheetnames[0]

    def where_xlsx(row: int, column: int) -> str:
        return _("Sheet %(sheet)s, cell %(cell)s") % {"sheet": sheet,
                                                      "cell": f"{column_letter(column)}{row}"}

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            yield from book.rows(sheet)
        finally:
            book.close()

    return rows(), where_xlsx


def _header(values: list[Any], columns: Mapping[str, tuple[str, ...]],
            required: tuple[str, ...]) -> dict[str, int]:
    names = {str(v).strip().lower(): i for i, v in enumerate(values) if not _blank(v)}
    found = {}
    for field, headers in columns.items():
        for header in headers:
            if header.lower() in names:
                found[field] = names[header.lower()]
                break
    missing = [columns[field][0] for field in required if field not in found]
    if missing:
        raise KpiDataInvalid(_("The first row must name the columns; missing: %(columns)s.")
                             % {"columns": "、".join(missing)})
    return found


def _cell(values: list[Any], index: int | None) -> Any:
    if index is None or index >= len(values):
        return None
    return values[index]


def roster_read(content: bytes | IO[bytes], *, name: str, month: dt.date) -> SourceRead:
    """The roster's counts for `month` and the attrition they give, or KpiDataInvalid naming
    every cell in error."""
    try:
        rows, where = _rows(content, name)
        return _roster(rows, where, month)
    except UploadRefused as refused:
        raise KpiDataInvalid(refused.messages) from None


def _roster(rows: Iterator[tuple[int, list[Any]]], where: Locate, month: dt.date) -> SourceRead:
    errors: list[str] = []
    columns: dict[str, int] | None = None
    first, last = month, month_last_day(month)
    seen: dict[str, int] = {}
    start_count = end_count = leavers = 0
    read = 0
    for number, values in rows:
        if columns is None:
            columns = _header(values, ROSTER_COLUMNS, ROSTER_REQUIRED)
            continue
        if all(_blank(v) for v in values):
            continue
        read += 1
        agent = _cell(values, columns["agent"])
        if _blank(agent):
            errors.append(_("%(where)s: the agent id is missing.")
                          % {"where": where(number, columns["agent"])})
        else:
            key = str(agent).strip()
            if key in seen:
                errors.append(_("%(where)s: agent %(agent)s is listed twice (also row %(other)d).")
                              % {"where": where(number, columns["agent"]), "agent": key,
                                 "other": seen[key]})
            seen[key] = number
        start = date_parse(_cell(values, columns["start"]))
        if start is None:
            errors.append(_("%(where)s: “%(value)s” is not a date; write it as 2026-03-15.")
                          % {"where": where(number, columns["start"]),
                             "value": str(_cell(values, columns["start"]) or "")[:40]})
        raw_leave = _cell(values, columns["leave"])
        leave = None if _blank(raw_leave) else date_parse(raw_leave)
        if not _blank(raw_leave) and leave is None:
            errors.append(_("%(where)s: “%(value)s” is not a date; write it as 2026-03-15.")
                          % {"where": where(number, columns["leave"]),
                             "value": str(raw_leave)[:40]})
            continue
        if start is None:
            continue
        if leave is not None and leave < start:
            errors.append(_("%(where)s: the leave date %(leave)s is before the start date "
                            "%(start)s.") % {"where": where(number, columns["leave"]),
                                             "leave": leave, "start": start})
            continue
        if start <= first and (leave is None or leave >= first):
            start_count += 1
        if start <= last and (leave is None or leave > last):
            end_count += 1
        if leave is not None and first <= leave <= last:
            leavers += 1
    if columns is None:
        raise KpiDataInvalid(_("The file is empty."))
    if not errors and start_count + end_count == 0:
        errors.append(_("No agent on the roster was employed in %(month)s.")
                      % {"month": month_text(month)})
    if errors:
        raise KpiDataInvalid(errors)
    average = Decimal(start_count + end_count) / 2
    counts = {"leavers": Decimal(leavers), "headcount_start": Decimal(start_count),
              "headcount_end": Decimal(end_count), "average_headcount": average}
    return SourceRead(rows=read, counts=counts,
                      values=values_from_counts(KpiSourceKind.ROSTER, counts))


def calls_read(content: bytes | IO[bytes], *, name: str, month: dt.date) -> SourceRead:
    """The call-detail summary's totals for `month` and the four KPIs they give, or
    KpiDataInvalid naming every cell in error."""
    try:
        rows, where = _rows(content, name)
        return _calls(rows, where, month)
    except UploadRefused as refused:
        raise KpiDataInvalid(refused.messages) from None


def _calls(rows: Iterator[tuple[int, list[Any]]], where: Locate, month: dt.date) -> SourceRead:
    errors: list[str] = []
    columns: dict[str, int] | None = None
    first, last = month, month_last_day(month)
    totals = dict.fromkeys(COUNT_FIELDS, Decimal(0))
    read = 0
    for number, values in rows:
        if columns is None:
            columns = _header(values, CALL_COLUMNS, tuple(CALL_COLUMNS))
            continue
        if all(_blank(v) for v in values):
            continue
        read += 1
        raw_day = _cell(values, columns["date"])
        day = date_parse(raw_day)
        if day is None:
            errors.append(_("%(where)s: “%(value)s” is not a date; write it as 2026-03-15.")
                          % {"where": where(number, columns["date"]),
                             "value": str(raw_day or "")[:40]})
        elif not first <= day <= last:
            errors.append(_("%(where)s: %(day)s is not in the drawn month %(month)s.")
                          % {"where": where(number, columns["date"]), "day": day,
                             "month": month_text(month)})
        row: dict[str, Decimal] = {}
        for field in COUNT_FIELDS:
            raw = _cell(values, columns[field])
            value = None if _blank(raw) else number_parse(raw)
            if value is None or value < 0:
                errors.append(_("%(where)s: “%(value)s” is not a count (a number, zero or "
                                "more).") % {"where": where(number, columns[field]),
                                             "value": "" if raw is None else str(raw)[:40]})
                continue
            row[field] = value
        if len(row) == len(COUNT_FIELDS):
            if row["answered"] + row["abandoned"] > row["offered"]:
                errors.append(_("%(where)s: answered %(answered)s plus abandoned %(abandoned)s "
                                "is more than offered %(offered)s.") % {
                    "where": where(number, columns["offered"]),
                    "answered": number_text(row["answered"]),
                    "abandoned": number_text(row["abandoned"]),
                    "offered": number_text(row["offered"])})
            if row["within"] > row["answered"]:
                errors.append(_("%(where)s: answered within the threshold %(within)s is more "
                                "than answered %(answered)s.") % {
                    "where": where(number, columns["within"]),
                    "within": number_text(row["within"]),
                    "answered": number_text(row["answered"])})
            if row["short"] > row["abandoned"]:
                errors.append(_("%(where)s: short abandons %(short)s are more than abandoned "
                                "%(abandoned)s.") % {
                    "where": where(number, columns["short"]),
                    "short": number_text(row["short"]),
                    "abandoned": number_text(row["abandoned"])})
            for field in COUNT_FIELDS:
                totals[field] += row[field]
    if columns is None:
        raise KpiDataInvalid(_("The file is empty."))
    if not errors and (totals["answered"] == 0 or totals["offered"] <= totals["short"]):
        errors.append(_("The rows count no answered contacts in %(month)s.")
                      % {"month": month_text(month)})
    if errors:
        raise KpiDataInvalid(errors)
    return SourceRead(rows=read, counts=totals,
                      values=values_from_counts(KpiSourceKind.CALLS, totals))


def values_from_counts(kind: str, counts: dict[str, Decimal]) -> dict[str, Decimal]:
    """The KPIs a kind of source records recomputes, from the counts read from it."""
    if kind == KpiSourceKind.ROSTER:
        return {Kpi.ATTRITION.value: counts["leavers"] * HUNDRED / counts["average_headcount"]}
    counted = counts["offered"] - counts["short"]
    return {
        Kpi.SERVICE_LEVEL.value: counts["within"] * HUNDRED / counted,
        Kpi.ANSWER_RATE.value: counts["answered"] * HUNDRED / counts["offered"],
        Kpi.ASA.value: counts["queue_seconds"] / counts["answered"],
        Kpi.ABANDONMENT.value: (counts["abandoned"] - counts["short"]) * HUNDRED / counted,
    }


# --------------------------------------------------------------------------- comparing


def compare(kpi: str, *, reported: Decimal, recomputed: Decimal, points: Decimal,
            seconds_percent: Decimal) -> Comparison:
    """A rate differs by percentage points (flagged beyond `points`); a time in seconds by
    percent of the recomputed value (flagged beyond `seconds_percent`)."""
    if KPI_DEFINITIONS[kpi].unit == KpiUnit.PERCENT:
        difference, tolerance, unit = reported - recomputed, points, "points"
    else:
        base = recomputed if recomputed else Decimal(1)
        difference = (reported - recomputed) * HUNDRED / base
        tolerance, unit = seconds_percent, "percent"
    quantum = Decimal("0.0001")
    return Comparison(kpi=kpi, reported=reported.quantize(quantum),
                      recomputed=recomputed.quantize(quantum),
                      difference=difference.quantize(quantum), tolerance=tolerance,
                      tolerance_unit=unit, flagged=abs(difference) > tolerance)


def source_header(kind: str) -> list[str]:
    """The header row of a kind's template (Chinese; the English names are read too)."""
    columns = ROSTER_COLUMNS if kind == KpiSourceKind.ROSTER else CALL_COLUMNS
    return [headers[0] for headers in columns.values()]
