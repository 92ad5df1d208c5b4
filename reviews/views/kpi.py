"""KPI data pages: the 12 months of a project with a chart per KPI (the drawn month marked), the
drawn month's checks against source records; for the applicant, the entry form, the xlsx
template and its upload, and the source records of the drawn month.

Who: `selectors.kpi_access` (the applicant's members edit; the signed team and the committee
read; anyone else 404), as the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.exports import Table, spreadsheet_response, table_xlsx
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..conf import setting
from ..forms import KpiParametersForm, KpiSourceForm, KpiWorkbookForm
from ..kpi_data import (
    KPI_ORDER,
    MONTHS,
    PARTS,
    Parameters,
    month_add,
    month_text,
    months_ending_before,
)
from ..kpi_sources import source_header
from ..kpis import KPI_DEFINITIONS
from ..models import KpiSourceKind, ReviewProject


def _project(request: AuthenticatedHttpRequest, pk: int) -> tuple[ReviewProject,
                                                                  selectors.KpiAccess]:
    project = get_object_or_404(
        ReviewProject.objects.select_related("organisation", "standard_version"), pk=pk)
    access = selectors.kpi_access(request.user, project)
    if not access.reads:
        raise Http404
    return project, access


def _applicant_project(request: AuthenticatedHttpRequest, pk: int) -> ReviewProject:
    project, access = _project(request, pk)
    if not access.applicant:
        raise Http404
    return project


def _overview_context(project: ReviewProject, access: selectors.KpiAccess, *,
                      today: dt.date) -> dict[str, Any]:
    overview = selectors.kpi_overview(project, today=today)
    verified = (services.kpi_draw_verify(overview.data_set)
                if overview.data_set and overview.data_set.drawn_month else (None, False))
    return {
        "project": project, "access": access, "overview": overview,
        "verified_month": verified[0], "verified": verified[1],
        "workbook_form": KpiWorkbookForm(),
        "source_forms": [(kind, label, overview.sources.get(kind), KpiSourceForm())
                         for kind, label in KpiSourceKind.choices],
        "tolerance_points": setting("REVIEWS_KPI_TOLERANCE_POINTS"),
        "tolerance_percent": setting("REVIEWS_KPI_TOLERANCE_SECONDS_PERCENT"),
    }


@login_required
@never_cache
def kpi_overview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The 12 months as charts and tables, the drawn month and its checks."""
    project, access = _project(request, pk)
    return render(request, "reviews/kpi.html",
                  _overview_context(project, access, today=timezone.localdate()))


def _error_page(request: AuthenticatedHttpRequest, project: ReviewProject,
                error: services.ReviewError, *, heading: str) -> HttpResponse:
    context = _overview_context(project, selectors.kpi_access(request.user, project),
                                today=timezone.localdate())
    context.update({"errors": error.messages, "error_heading": heading})
    return render(request, "reviews/kpi.html", context, status=400)


@login_required
@require_POST
def kpi_workbook_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _applicant_project(request, pk)
    form = KpiWorkbookForm(request.POST, request.FILES)
    if not form.is_valid():
        return _error_page(request, project, services.ReviewError(
            [m for errors in form.errors.values() for m in errors]),
            heading=_("The workbook was not read; nothing was saved."))
    try:
        services.kpi_workbook_upload(project=project, upload=form.cleaned_data["file"],
                                     by=request.user)
    except services.ReviewError as error:
        return _error_page(request, project, error,
                           heading=_("The workbook was refused; the figures saved before are "
                                     "unchanged. Correct these cells and upload it again:"))
    messages.success(request, _("The 12 months are saved."))
    return redirect("reviews:kpi", pk=project.pk)


@login_required
def kpi_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The xlsx template, filled with the figures reported so far (the applicant only: the
    team reads the data on the page, never takes it away)."""
    project = _applicant_project(request, pk)
    content = services.kpi_template_xlsx(project=project, today=timezone.localdate())
    return spreadsheet_response(content, filename=f"kpi-{project.reference}")


@login_required
def kpi_source_template(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    _applicant_project(request, pk)
    if kind not in KpiSourceKind.values:
        raise Http404
    table = Table(title=str(KpiSourceKind(kind).label)[:31], header=source_header(kind))
    return spreadsheet_response(table_xlsx(table), filename=f"kpi-{kind}")


@login_required
@require_POST
def kpi_source_upload(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    project = _applicant_project(request, pk)
    if kind not in KpiSourceKind.values:
        raise Http404
    form = KpiSourceForm(request.POST, request.FILES)
    heading = _("The records were refused; nothing was kept. Correct these cells and upload "
                "them again:")
    if not form.is_valid():
        return _error_page(request, project, services.ReviewError(
            [m for errors in form.errors.values() for m in errors]), heading=heading)
    upload = form.cleaned_data["file"]
    try:
        services.kpi_source_upload(project=project, kind=kind, upload=upload, name=upload.name,
                                   by=request.user)
    except services.ReviewError as error:
        return _error_page(request, project, error, heading=heading)
    messages.success(request, _("The records are read and the drawn month recomputed."))
    return redirect("reviews:kpi", pk=project.pk)


# --------------------------------------------------------------------------- the entry form


def _sections(months: list[dt.date], values: dict[str, str]) -> list[dict[str, Any]]:
    """Per KPI: its definition and a row per month with the two inputs' names and values."""
    sections = []
    for kpi in KPI_ORDER:
        definition = KPI_DEFINITIONS[kpi]
        rows = []
        for index, month in enumerate(months):
            names = [f"{kpi}-{index}-{part[0]}" for part in PARTS]
            rows.append({"month": month, "names": names,
                         "values": [values.get(name, "") for name in names]})
        sections.append({"definition": definition, "kpi": kpi, "rows": rows})
    return sections


def _saved_values(project: ReviewProject, months: list[dt.date]) -> dict[str, str]:
    figures = selectors.kpi_figures(project)
    values = {}
    for index, month in enumerate(months):
        for kpi, row in figures.get(month, {}).items():
            values[f"{kpi}-{index}-n"] = f"{row.numerator.normalize():f}"
            values[f"{kpi}-{index}-d"] = f"{row.denominator.normalize():f}"
    return values


@login_required
@never_cache
def kpi_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The applicant enters the 12 months on the page: per KPI (its definition beside it) the
    numerator and denominator of each month. Every error is listed, naming the KPI, the month
    and the count; what was typed stays."""
    project = _applicant_project(request, pk)
    today = timezone.localdate()
    if not selectors.kpi_data_editable(project, today=today):
        messages.error(request, _("The KPI data is frozen: it reopens only when a request for "
                                  "more evidence names an item that expects data."))
        return redirect("reviews:kpi", pk=project.pk)
    data_set = selectors.kpi_data_set(project)
    saved_months = sorted(selectors.kpi_figures(project))
    first = saved_months[0] if saved_months else months_ending_before(today)[0]
    parameters = Parameters(**({f: getattr(data_set, f) for f in (
        "service_level_seconds", "short_abandon_seconds", "fcr_window_days")}
        if data_set else {}))
    errors: list[str] = []
    if request.method == "POST":
        form = KpiParametersForm(request.POST)
        values = {key: request.POST.get(key, "")[:40] for key in request.POST
                  if key.count("-") == 2}
        if form.is_valid():
            first = form.cleaned_data["first_month"]
            months = [month_add(first, i) for i in range(MONTHS)]
            rows = [[month_text(month), *[values.get(f"{kpi}-{i}-{part[0]}", "")
                                          for kpi in KPI_ORDER for part in PARTS]]
                    for i, month in enumerate(months)]

            def locate(index: int, column: int) -> str:
                if column == 0:
                    return month_text(months[index])
                kpi, part = KPI_ORDER[(column - 1) // 2], PARTS[(column - 1) % 2]
                definition = KPI_DEFINITIONS[kpi]
                return _("%(kpi)s, %(month)s, %(count)s") % {
                    "kpi": definition.kpi.label, "month": month_text(months[index]),
                    "count": definition.numerator if part == "numerator"
                    else definition.denominator}

            try:
                services.kpi_months_save(
                    project=project, rows=rows, locate=locate, where=_("The form"),
                    by=request.user, parameters=Parameters(**{
                        f: form.cleaned_data[f] for f in ("service_level_seconds",
                                                          "short_abandon_seconds",
                                                          "fcr_window_days")}))
            except services.ReviewError as error:
                errors = error.messages
            else:
                messages.success(request, _("The 12 months are saved."))
                return redirect("reviews:kpi", pk=project.pk)
        else:
            errors = [str(m) for field_errors in form.errors.values() for m in field_errors]
            if form.cleaned_data.get("first_month"):
                first = form.cleaned_data["first_month"]
        status = 400
    else:
        form = KpiParametersForm(initial={"first_month": month_text(first),
                                          **asdict(parameters)})
        values = _saved_values(project, [month_add(first, i) for i in range(MONTHS)])
        status = 200
    months = [month_add(first, i) for i in range(MONTHS)]
    return render(request, "reviews/kpi_edit.html", {
        "project": project, "form": form, "errors": errors,
        "sections": _sections(months, values),
    }, status=status)
