"""The arithmetic of KPI benchmarking, pure (no database): the quartiles of a cell, where an
organisation's value falls against them, and the chart drawn from them (server-rendered SVG,
as exams' score histogram). The reads that gather the values, with the suppression and consent
rules, are `reviews.selectors.benchmark` and `organisation_benchmark_position`
(docs/reviews.md, "Benchmarking by industry").

**Percentiles.** One method everywhere: linear interpolation between closest ranks, the
"inclusive" method of `statistics.quantiles` (Excel's QUARTILE.INC, R's type 7). With the n
values sorted x[0] ≤ … ≤ x[n-1], the p-quantile sits at position h = (n − 1)·p and is
x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). For the quartiles h is a multiple of ¼, so in `Decimal`
the result is exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from django.utils.translation import gettext as _

# An organisation's pooled value is kept to 4 places (as `KpiMonth.value`); the quartiles are
# exact on those and shown to 2.
VALUE_PLACES = Decimal("0.0001")
SHOWN_PLACES = Decimal("0.01")


def value_round(value: Decimal) -> Decimal:
    return value.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


def shown(value: Decimal) -> Decimal:
    return value.quantize(SHOWN_PLACES, rounding=ROUND_HALF_UP)


def quantile(sorted_values: Sequence[Decimal], p: Decimal) -> Decimal:
    """The p-quantile (0 ≤ p ≤ 1) of `sorted_values` (ascending, at least one), by linear
    interpolation at position (n − 1)·p."""
    if not sorted_values:
        raise ValueError("no values")
    position = (len(sorted_values) - 1) * p
    below = int(position)  # ⌊h⌋, position ≥ 0
    fraction = position - below
    if fraction == 0 or below + 1 >= len(sorted_values):
        return sorted_values[below]
    low, high = sorted_values[below], sorted_values[below + 1]
    return low + fraction * (high - low)


@dataclass(frozen=True)
class Quartiles:
    p25: Decimal
    median: Decimal
    p75: Decimal


def quartiles(values: Sequence[Decimal]) -> Quartiles:
    ordered = sorted(values)
    return Quartiles(p25=quantile(ordered, Decimal("0.25")),
                     median=quantile(ordered, Decimal("0.5")),
                     p75=quantile(ordered, Decimal("0.75")))


# Where a value falls, best to worst by the KPI's direction.
BAND_TOP, BAND_SECOND, BAND_THIRD, BAND_BOTTOM = "top", "second", "third", "bottom"


def band_labels() -> dict[str, str]:
    return {
        BAND_TOP: _("Best quarter"),
        BAND_SECOND: _("Second quarter (better than the median)"),
        BAND_THIRD: _("Third quarter (worse than the median)"),
        BAND_BOTTOM: _("Worst quarter"),
    }


def band(value: Decimal, q: Quartiles, *, higher_is_better: bool) -> str:
    """The quarter of the industry `value` is in, best first. A value on a quartile counts on
    its better side (at the P75 of a higher-is-better KPI it is in the best quarter)."""
    if higher_is_better:
        if value >= q.p75:
            return BAND_TOP
        if value >= q.median:
            return BAND_SECOND
        if value >= q.p25:
            return BAND_THIRD
        return BAND_BOTTOM
    if value <= q.p25:
        return BAND_TOP
    if value <= q.median:
        return BAND_SECOND
    if value <= q.p75:
        return BAND_THIRD
    return BAND_BOTTOM


def against_median(value: Decimal, q: Quartiles, *, higher_is_better: bool) -> str:
    """"better", "same" or "worse" than the industry's median, by the KPI's direction."""
    if value == q.median:
        return "same"
    return "better" if (value > q.median) == higher_is_better else "worse"


# --------------------------------------------------------------------------- the chart


@dataclass(frozen=True)
class ChartRow:
    label: str
    quartiles: Quartiles


def _ticks(low: Decimal, high: Decimal) -> list[Decimal]:
    step = (high - low) / 4
    return [low + step * i for i in range(5)]


def _fmt(value: Decimal) -> str:
    text = f"{shown(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quartile_chart_svg(rows: Sequence[ChartRow], *, unit: str, title: str,
                       own: Decimal | None = None, own_label: str = "") -> str:
    """Horizontal box bars, one per row: the box from P25 to P75 with the median marked, on a
    shared scale; `own` (an organisation's value) a red line across every row, labelled. Drawn
    in a 360-unit-wide viewBox that scales to the page (readable at 390 px); the label is above
    each bar so long industry names do not narrow it. The page shows the same figures in a
    table (the fallback for screen readers and print)."""
    width, left, right, row_h, top, axis_h = 360, 8, 8, 46, 8, 28
    values = [v for r in rows for v in (r.quartiles.p25, r.quartiles.p75)]
    if own is not None:
        values.append(own)
    if not values:
        values = [Decimal(0), Decimal(1)]
    low, high = min(values), max(values)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) / 10
    low, high = low - pad, high + pad
    plot_w = width - left - right
    height = top + row_h * max(len(rows), 1) + axis_h

    def x(value: Decimal) -> float:
        return float(left + plot_w * (value - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart benchmark-chart"><title>{escape(title)}</title>',
    ]
    for i, row in enumerate(rows):
        y = top + i * row_h
        q = row.quartiles
        parts.append(f'<text x="{left}" y="{y + 12}" font-size="12">{escape(row.label)}</text>')
        bar_y = y + 18
        parts.append(
            f'<rect x="{x(q.p25):.1f}" y="{bar_y}" width="{max(x(q.p75) - x(q.p25), 1.5):.1f}" '
            f'height="18" fill="#cfe0f5" stroke="#0b5cab">'
            f"<title>P25 {_fmt(q.p25)} · {escape(_('median'))} {_fmt(q.median)} · "
            f"P75 {_fmt(q.p75)} {escape(unit)}</title></rect>")
        parts.append(f'<line x1="{x(q.median):.1f}" y1="{bar_y - 2}" x2="{x(q.median):.1f}" '
                     f'y2="{bar_y + 20}" stroke="#0b3d78" stroke-width="3"/>')
    axis_y = top + row_h * max(len(rows), 1)
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" '
                 'stroke="#5b6776"/>')
    for i, tick in enumerate(_ticks(low, high)):
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        parts.append(f'<text x="{x(tick):.1f}" y="{axis_y + 16}" font-size="11" '
                     f'text-anchor="{anchor}">{_fmt(tick)}</text>')
    if own is not None:
        parts.append(f'<line x1="{x(own):.1f}" y1="{top}" x2="{x(own):.1f}" y2="{axis_y}" '
                     'stroke="#b3261e" stroke-width="2" stroke-dasharray="4 3" '
                     'data-own="1"/>')
        anchor = "end" if x(own) > width / 2 else "start"
        dx = -4 if anchor == "end" else 4
        parts.append(f'<text x="{x(own) + dx:.1f}" y="{axis_y - 4}" font-size="11" '
                     f'fill="#b3261e" text-anchor="{anchor}">{escape(own_label)} '
                     f"{_fmt(own)}</text>")
    parts.append("</svg>")
    return "".join(parts)
