"""The review's spreadsheets, written by `core.exports` (people's text as text, never a
formula): the reviewers' fee statement of a period for the consulting firm that pays, and the
committee's KPI benchmark (only the cells shown: suppression is applied before this)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exports import Cell, Table, table_xlsx

from .selectors import FeeStatement, FeeTotals, KpiBenchmark


def _totals_row(label: str, totals: FeeTotals) -> list[Cell]:
    return [label, "", "", "", "", totals.document_days, totals.onsite_days, "",
            totals.labour, totals.travel, "", totals.total]


def fee_statement_table(statement: FeeStatement) -> Table:
    table = Table(
        title=_("Reviewers' fees %(start)s–%(end)s") % {"start": statement.start,
                                                        "end": statement.end},
        header=[_("Reviewer"), _("Email"), _("Project"), _("Organisation"), _("Work ended on"),
                _("Document-review days"), _("On-site days"), _("Daily fee (CNY)"),
                _("Labour fee (CNY)"), _("Travel costs (CNY)"), _("Travel costs: what for"),
                _("Total (CNY)")])
    for reviewer_statement in statement.reviewers:
        name = reviewer_statement.reviewer.display_name
        for line in reviewer_statement.lines:
            fee = line.fee
            table.append([name, line.reviewer.email, line.project.reference,
                          line.project.organisation.name, fee.work_ended_on,
                          fee.document_days, fee.onsite_days, fee.daily_fee, line.labour,
                          fee.travel_amount, fee.travel_note, line.total])
        if len(statement.reviewers) > 1:
            table.append(_totals_row(_("Subtotal: %(name)s") % {"name": name},
                                     reviewer_statement.totals))
    table.append(_totals_row(pgettext("money", "Total"), statement.totals))
    return table


def fee_statement_xlsx(statement: FeeStatement) -> bytes:
    return table_xlsx(fee_statement_table(statement))


def benchmark_table(kpis: list[KpiBenchmark]) -> Table:
    """One row per cell shown; a suppressed cell has no row at all (no figure, not even n)."""
    table = Table(
        title=_("KPI benchmark"),
        header=[_("KPI"), _("Unit"), _("Higher is better"), _("Industry"),
                _("Organisations (n)"), "P25", _("Median"), "P75",
                _("Organisations named (with their consent)")])
    for kpi in kpis:
        for cell in kpi.cells:
            named = "、".join(c.name for c in cell.contributions if c.name)
            table.append([kpi.label, kpi.unit,
                          _("yes") if kpi.definition.higher_is_better else _("no"),
                          cell.industry_label, cell.n, cell.quartiles.p25,
                          cell.quartiles.median, cell.quartiles.p75, named])
    return table


def benchmark_xlsx(kpis: list[KpiBenchmark]) -> bytes:
    return table_xlsx(benchmark_table(kpis))
