"""KPI benchmarking by industry: the whole benchmark for the expert committee and the
certification admins (page and xlsx), an organisation's own position for its members, and its
admin's consent to be named."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from core.exports import spreadsheet_response
from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from .. import exports, selectors, services
from ..benchmark import ChartRow, quartile_chart_svg
from ..conf import setting
from ..forms import BenchmarkConsentForm

VIEW_BENCHMARK_PERM = "reviews.view_benchmark"


@staff_view(VIEW_BENCHMARK_PERM)
def benchmark_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    kpis = selectors.benchmark()
    charts = {
        kpi.kpi: mark_safe(quartile_chart_svg(
            [ChartRow(label=cell.industry_label, quartiles=cell.quartiles) for cell in kpi.cells],
            unit=kpi.unit, title=kpi.label))
        for kpi in kpis if kpi.cells
    }
    return render(request, "reviews/benchmark.html", {
        "kpis": [(kpi, charts.get(kpi.kpi)) for kpi in kpis],
        "minimum": setting("REVIEWS_BENCHMARK_MIN_ORGANISATIONS"),
    })


@staff_view(VIEW_BENCHMARK_PERM)
def benchmark_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    return spreadsheet_response(exports.benchmark_xlsx(selectors.benchmark()),
                                filename="kpi-benchmark")


def _organisation(request: AuthenticatedHttpRequest, pk: int) -> Organisation:
    if not selectors.benchmark_position_open_to(request.user, pk):
        raise Http404
    membership = selectors.organisation_membership(request.user, pk)
    assert membership is not None
    return membership.organisation


@login_required
def organisation_benchmark(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The organisation's own position on each KPI against its industry (its members)."""
    organisation = _organisation(request, pk)
    position = selectors.organisation_benchmark_position(organisation)
    own_label = _("Yours")
    rows = []
    for kpi in position.kpis:
        chart = None
        if kpi.cell is not None:
            chart = mark_safe(quartile_chart_svg(
                [ChartRow(label=kpi.cell.industry_label, quartiles=kpi.cell.quartiles)],
                unit=kpi.unit, title=kpi.label, own=kpi.value, own_label=own_label))
        rows.append((kpi, chart))
    profile = getattr(organisation, "review_profile", None)
    return render(request, "reviews/organisation_benchmark.html", {
        "organisation": organisation, "position": position, "rows": rows, "profile": profile,
        "minimum": setting("REVIEWS_BENCHMARK_MIN_ORGANISATIONS"),
    })


@login_required
@require_POST
def organisation_benchmark_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The admin's consent, from the organisation's page (a member who is not its admin is
    refused by the service)."""
    organisation = _organisation(request, pk)
    form = BenchmarkConsentForm(request.POST)
    if form.is_valid():
        try:
            profile = services.benchmark_consent_set(
                organisation=organisation, by=request.user, named=form.cleaned_data["named"])
        except services.ReviewError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your organisation may now be named in the benchmark.")
                             if profile.benchmark_named else
                             _("Your organisation is now anonymous in the benchmark."))
    return redirect("reviews:organisation", pk=pk)
