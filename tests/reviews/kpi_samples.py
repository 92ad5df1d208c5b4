"""Plausible KPI months and the source records that agree with them (tests/reviews/test_kpi*)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from reviews.kpi_data import COLUMNS, month_add, month_text

FIRST = dt.date(2025, 11, 1)  # 2025-11 … 2026-10
# Every month reports the same counts, so whichever month is drawn the records below agree.
MONTH = {
    "service_level": (8000, 10000),  # 80 %
    "asa": (250000, 9000),  # 27.78 s
    "abandonment": (500, 10000),  # 5 %
    "answer_rate": (9090, 10100),  # 90 %
    "aht": (2700000, 9000),
    "occupancy": (800000, 1000000),
    "fcr": (7000, 9000),
    "attrition": (3, 100),  # 3 %
    "csat": (850, 1000),
}


def months(first: dt.date = FIRST) -> list[dt.date]:
    return [month_add(first, i) for i in range(12)]


def grid(first: dt.date = FIRST, **overrides: tuple[int, int]) -> list[list[Any]]:
    counts = {**MONTH, **overrides}
    return [[month_text(month), *[counts[kpi][0 if part == "numerator" else 1]
                                  for kpi, part in COLUMNS]] for month in months(first)]


def json_months(first: dt.date = FIRST, **overrides: tuple[int, int]) -> list[dict[str, Any]]:
    counts = {**MONTH, **overrides}
    return [{"month": month_text(month),
             "values": {kpi: {"numerator": str(n), "denominator": str(d)}
                        for kpi, (n, d) in counts.items()}} for month in months(first)]


def locate(index: int, column: int) -> str:
    return f"r{index}c{column}"


def xlsx(rows: list[list[Any]], sheet: str = "Sheet1") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_rows(month: dt.date, *, leavers: int = 3) -> list[list[Any]]:
    """100 agents at the start of `month`, `leavers` of them leave on the 10th, as many join on
    the 15th: average headcount 100, attrition `leavers` %."""
    rows: list[list[Any]] = [["工号", "姓名", "入职日期", "离职日期"]]
    before = month_add(month, -6)
    for n in range(100):
        leave = month.replace(day=10).isoformat() if n < leavers else ""
        rows.append([f"A{n:03d}", f"坐席{n}", before.isoformat(), leave])
    for n in range(leavers):
        rows.append([f"B{n:03d}", f"新人{n}", month.replace(day=15).isoformat(), ""])
    rows.append(["C001", "早已离职", before.isoformat(), month_add(month, -1).isoformat()])
    return rows


def calls_rows(month: dt.date) -> list[list[Any]]:
    """Two days adding up to the MONTH figures: offered 10100, answered 9090, within 8000,
    abandoned 600 of which 100 short, 252500 queue seconds (ASA 27.78 s)."""
    header = ["日期", "呼入量", "接通量", "阈值内接通量", "放弃量", "短时放弃量", "接通排队秒数"]
    return [header, *[[month.replace(day=day).isoformat(), 5050, 4545, 4000, 300, 50, 126250]
                      for day in (1, 2)]]


def csv_bytes(rows: list[list[Any]]) -> bytes:
    return ("\n".join(",".join(str(cell) for cell in row) for row in rows) + "\n").encode()


ATTRITION_3 = Decimal("3.0000")
