"""The 12 months of one KPI as an inline SVG line chart drawn on the server (no JavaScript, no
CDN; as exams' score histogram): the drawn month marked. The page puts a table of the same
figures beside it for screen readers and for anyone who wants the numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .kpis import KPI_DEFINITIONS, KpiUnit

WIDTH, HEIGHT = 360, 190
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 14, 30


def value_text(value: Decimal, unit: str) -> str:
    number = f"{value.quantize(Decimal('0.1'))}"
    return f"{number}%" if unit == KpiUnit.PERCENT else _("%(value)s s") % {"value": number}


def kpi_chart_svg(*, kpi: str, points: Sequence[tuple[dt.date, Decimal]],
                  drawn: dt.date | None, chart_id: str) -> SafeString:
    """A line through the months' values; the drawn month's point larger, in another colour,
    with a dashed line and a label. The y axis spans the values (with a margin), labelled at
    its ends; x labels are the months."""
    definition = KPI_DEFINITIONS[kpi]
    unit = definition.unit
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    title = escape(str(definition.kpi.label))
    desc = escape(_("%(kpi)s per month, %(first)s to %(last)s") % {
        "kpi": definition.kpi.label,
        "first": f"{points[0][0]:%Y-%m}" if points else "",
        "last": f"{points[-1][0]:%Y-%m}" if points else ""})
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart kpi-chart" '
        f'data-kpi="{escape(kpi)}"><title id="{chart_id}-t">{title}</title>'
        f'<desc id="{chart_id}-d">{desc}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#5b6776"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="#5b6776"/>',
    ]
    if not points:
        parts.append("</svg>")
        return mark_safe("".join(parts))  # built from escaped parts
    values = [value for _month, value in points]
    low, high = min(values), max(values)
    margin = (high - low) * Decimal("0.15") or max(abs(high) * Decimal("0.05"), Decimal(1))
    low = max(low - margin, Decimal(0))
    high = high + margin
    if unit == KpiUnit.PERCENT:
        high = min(high, Decimal(100))
    span = high - low or Decimal(1)
    step = plot_w / max(len(points) - 1, 1)

    def y_of(value: Decimal) -> float:
        return float(TOP + plot_h - (value - low) / span * plot_h)

    for label_value in (high, low):
        parts.append(f'<text x="{LEFT - 4}" y="{y_of(label_value) + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{escape(value_text(label_value, unit))}</text>')
    coords = [(LEFT + i * step, y_of(value)) for i, (_month, value) in enumerate(points)]
    parts.append('<polyline fill="none" stroke="#0b5cab" stroke-width="2" points="'
                 + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
    for (x, y), (month, value) in zip(coords, points, strict=True):
        is_drawn = month == drawn
        label = escape(f"{month:%Y-%m}: {value_text(value, unit)}")
        if is_drawn:
            parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" '
                         'stroke="#b3261e" stroke-dasharray="4 3"/>')
            parts.append(f'<text x="{x:.1f}" y="{TOP - 3}" font-size="10" text-anchor="middle" '
                         f'fill="#b3261e" data-drawn="1">{escape(_("drawn"))}</text>')
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{5 if is_drawn else 3}" '
            f'fill="{"#b3261e" if is_drawn else "#0b5cab"}"'
            f'{" data-drawn-month=" + chr(34) + f"{month:%Y-%m}" + chr(34) if is_drawn else ""}>'
            f"<title>{label}</title></circle>")
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 12}" font-size="9" text-anchor="middle">'
                     f"{month:%m}</text>")
    parts.append(f'<text x="{LEFT}" y="{HEIGHT - 1}" font-size="9">{points[0][0]:%Y}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # built from escaped parts
