"""/api/v1/reviews/: a project's 12 months of KPI data with the catalogue's definitions, written
as JSON or through the xlsx template; the drawn month and its verification; the source records
of the drawn month and the checks they give. The same services and permission helper
(`selectors.kpi_access`) as the pages: the applicant's members write, the signed team and the
committee read, anyone else gets 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from core.api_auth import signed_in
from core.api_errors import ErrorOut
from core.api_files import file_openapi
from core.bounds import ObjectId
from core.exports import XLSX_CONTENT_TYPE, spreadsheet_response
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..conf import setting
from ..kpi_data import KPI_ORDER, PARAMETER_BOUNDS, PARTS, Parameters, month_text
from ..kpis import KPI_DEFINITIONS
from ..models import KpiCheck, KpiSourceKind, ReviewProject

router = Router()

CountIn = Decimal | int | str


class KpiDefinitionOut(Schema):
    kpi: str
    label: str
    definition: str
    numerator: str
    denominator: str
    unit: str = Field(description="percent or seconds")
    higher_is_better: bool
    modules: list[int] = Field(description="Modules whose data items the KPI supports")


class KpiCountsOut(Schema):
    numerator: Decimal
    denominator: Decimal
    value: Decimal = Field(description="In the KPI's unit")


class KpiMonthOut(Schema):
    month: str = Field(description="YYYY-MM")
    values: dict[str, KpiCountsOut]


class KpiCheckOut(Schema):
    kpi: str
    month: str
    reported: Decimal
    recomputed: Decimal
    difference: Decimal = Field(description="Percentage points (rates) or percent of the "
                                            "recomputed value (seconds)")
    tolerance: Decimal
    tolerance_unit: str = Field(description="points or percent")
    flagged: bool


class KpiSourceOut(Schema):
    id: int
    kind: str
    month: str
    file_name: str
    rows: int
    counts: dict[str, str]
    uploaded_at: dt.datetime


class KpiDrawOut(Schema):
    month: str | None = Field(description="The drawn month; null until it is drawn")
    seed: str
    months: list[str] = Field(description="The 12 months it was drawn from")
    drawn_at: dt.datetime | None
    recomputed_month: str | None
    verified: bool = Field(description="Recomputing from the months and seed gives the month")


class KpiDataOut(Schema):
    project_id: int
    acting_for_applicant: bool
    editable: bool = Field(description="The applicant may write the months now")
    service_level_seconds: int
    short_abandon_seconds: int
    fcr_window_days: int
    revision: int
    submitted_at: dt.datetime | None
    definitions: list[KpiDefinitionOut]
    months: list[KpiMonthOut]
    draw: KpiDrawOut
    tolerance_points: int
    tolerance_seconds_percent: int
    checks: list[KpiCheckOut]
    sources: list[KpiSourceOut] = Field(description="The current file of each kind")


class KpiCountsIn(Schema):
    numerator: CountIn
    denominator: CountIn


class KpiMonthIn(Schema):
    month: str = Field(max_length=10, description="YYYY-MM")
    values: dict[str, KpiCountsIn]


class KpiMonthsIn(Schema):
    service_level_seconds: int = Field(20, ge=PARAMETER_BOUNDS["service_level_seconds"][0],
                                       le=PARAMETER_BOUNDS["service_level_seconds"][1])
    short_abandon_seconds: int = Field(5, ge=PARAMETER_BOUNDS["short_abandon_seconds"][0],
                                       le=PARAMETER_BOUNDS["short_abandon_seconds"][1])
    fcr_window_days: int = Field(7, ge=PARAMETER_BOUNDS["fcr_window_days"][0],
                                 le=PARAMETER_BOUNDS["fcr_window_days"][1])
    months: list[KpiMonthIn] = Field(max_length=24)


class KpiErrorsOut(Schema):
    """The figures refused: every problem, each naming where it is; nothing was saved."""

    detail: str
    code: str
    errors: list[str]


def _project(request: AuthenticatedHttpRequest, project_id: int, *,
             applicant: bool = False) -> tuple[ReviewProject, selectors.KpiAccess]:
    project = (ReviewProject.objects.select_related("organisation", "standard_version")
               .filter(pk=project_id).first())
    access = selectors.kpi_access(request.user, project) if project else None
    if project is None or access is None or not access.reads or (
            applicant and not access.applicant):
        raise HttpError(404, _("Not found."))
    return project, access


def _refused(error: services.ReviewError) -> Status[KpiErrorsOut]:
    return Status(400, KpiErrorsOut(detail=" ".join(error.messages), code="refused",
                                    errors=list(error.messages)))


def kpi_check_out(check: KpiCheck) -> KpiCheckOut:
    return KpiCheckOut(kpi=check.kpi, month=month_text(check.month), reported=check.reported,
                       recomputed=check.recomputed, difference=check.difference,
                       tolerance=check.tolerance, tolerance_unit=check.tolerance_unit,
                       flagged=check.flagged)


def _draw_out(project: ReviewProject) -> KpiDrawOut:
    data_set = selectors.kpi_data_set(project)
    if data_set is None or data_set.drawn_month is None:
        return KpiDrawOut(month=None, seed="", months=[], drawn_at=None, recomputed_month=None,
                          verified=False)
    recomputed, verified = services.kpi_draw_verify(data_set)
    return KpiDrawOut(month=month_text(data_set.drawn_month), seed=data_set.draw_seed,
                      months=data_set.draw_months, drawn_at=data_set.drawn_at,
                      recomputed_month=month_text(recomputed) if recomputed else None,
                      verified=verified)


def _data_out(project: ReviewProject, access: selectors.KpiAccess) -> KpiDataOut:
    overview = selectors.kpi_overview(project, today=timezone.localdate())
    data_set = overview.data_set
    parameters = (Parameters(service_level_seconds=data_set.service_level_seconds,
                             short_abandon_seconds=data_set.short_abandon_seconds,
                             fcr_window_days=data_set.fcr_window_days)
                  if data_set else Parameters())
    figures = selectors.kpi_figures(project)
    return KpiDataOut(
        project_id=project.pk, acting_for_applicant=access.applicant,
        editable=access.applicant and overview.editable,
        service_level_seconds=parameters.service_level_seconds,
        short_abandon_seconds=parameters.short_abandon_seconds,
        fcr_window_days=parameters.fcr_window_days,
        revision=data_set.revision if data_set else 0,
        submitted_at=data_set.submitted_at if data_set else None,
        definitions=[KpiDefinitionOut(
            kpi=kpi, label=str(d.kpi.label), definition=str(d.definition),
            numerator=str(d.numerator), denominator=str(d.denominator), unit=d.unit.value,
            higher_is_better=d.higher_is_better, modules=list(d.modules))
            for kpi, d in KPI_DEFINITIONS.items()],
        months=[KpiMonthOut(month=month_text(month), values={
            kpi: KpiCountsOut(numerator=row.numerator, denominator=row.denominator,
                              value=row.value) for kpi, row in rows.items()})
            for month, rows in sorted(figures.items())],
        draw=_draw_out(project),
        tolerance_points=setting("REVIEWS_KPI_TOLERANCE_POINTS"),
        tolerance_seconds_percent=setting("REVIEWS_KPI_TOLERANCE_SECONDS_PERCENT"),
        checks=[kpi_check_out(check) for check in overview.checks],
        sources=[KpiSourceOut(id=s.pk, kind=s.kind, month=month_text(s.month),
                              file_name=s.original_name, rows=s.rows, counts=s.counts,
                              uploaded_at=s.uploaded_at)
                 for s in overview.sources.values()],
    )


@router.get("/projects/{project_id}/kpi", response={200: KpiDataOut, 404: ErrorOut},
            auth=signed_in)
def kpi_data(request: AuthenticatedHttpRequest, project_id: ObjectId) -> KpiDataOut:
    """The 12 months with the catalogue's definitions, the stated parameters, the drawn month
    and its checks: for the applicant, the signed team and the committee."""
    project, access = _project(request, project_id)
    return _data_out(project, access)


@router.put("/projects/{project_id}/kpi/months",
            response={200: KpiDataOut, 400: KpiErrorsOut, 404: ErrorOut}, auth=signed_in)
def kpi_months_put(request: AuthenticatedHttpRequest, project_id: ObjectId,
                   payload: KpiMonthsIn) -> Status:
    """The applicant replaces the 12 months (and the parameters): every problem is listed in
    `errors`, each naming `months[i].<kpi>.<numerator|denominator>`; a refusal saves nothing."""
    project, access = _project(request, project_id, applicant=True)
    unknown = sorted({kpi for month in payload.months for kpi in month.values} - set(KPI_ORDER))
    if unknown:
        return Status(400, KpiErrorsOut(
            detail=_("Unknown KPI: %(kpis)s.") % {"kpis": ", ".join(unknown)}, code="refused",
            errors=[_("Unknown KPI: %(kpis)s.") % {"kpis": ", ".join(unknown)}]))
    rows = []
    for month in payload.months:
        row: list[object] = [month.month]
        for kpi in KPI_ORDER:
            counts = month.values.get(kpi)
            row += [None, None] if counts is None else [counts.numerator, counts.denominator]
        rows.append(row)

    def locate(index: int, column: int) -> str:
        if column == 0:
            return f"months[{index}].month"
        return f"months[{index}].{KPI_ORDER[(column - 1) // 2]}.{PARTS[(column - 1) % 2]}"

    try:
        services.kpi_months_save(
            project=project, rows=rows, locate=locate, where="months", by=request.user,
            route="api", parameters=Parameters(
                service_level_seconds=payload.service_level_seconds,
                short_abandon_seconds=payload.short_abandon_seconds,
                fcr_window_days=payload.fcr_window_days))
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, _data_out(project, access))


@router.get("/projects/{project_id}/kpi/template", response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi(XLSX_CONTENT_TYPE, "The template, filled so far"))
def kpi_template(request: AuthenticatedHttpRequest, project_id: ObjectId) -> HttpResponse:
    """The applicant's xlsx template (sheets 数据, 参数, 说明), filled with what is reported."""
    project, _access = _project(request, project_id, applicant=True)
    content = services.kpi_template_xlsx(project=project, today=timezone.localdate())
    return spreadsheet_response(content, filename=f"kpi-{project.reference}")


@router.post("/projects/{project_id}/kpi/template",
             response={200: KpiDataOut, 400: KpiErrorsOut, 404: ErrorOut}, auth=signed_in)
def kpi_template_upload(request: AuthenticatedHttpRequest, project_id: ObjectId,
                        file: File[UploadedFile]) -> Status:
    """The filled template (multipart `file`) replaces the months; every cell in error is
    named (`Sheet 数据, cell D7: …`)."""
    project, access = _project(request, project_id, applicant=True)
    try:
        services.kpi_workbook_upload(project=project, upload=file, by=request.user)
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, _data_out(project, access))


@router.get("/projects/{project_id}/kpi/draw", response={200: KpiDrawOut, 404: ErrorOut},
            auth=signed_in)
def kpi_draw(request: AuthenticatedHttpRequest, project_id: ObjectId) -> KpiDrawOut:
    """The drawn month, the seed and the months it was drawn from, and whether recomputing
    gives the same month."""
    project, _access = _project(request, project_id)
    return _draw_out(project)


@router.post("/projects/{project_id}/kpi/sources/{kind}",
             response={201: KpiSourceOut, 400: KpiErrorsOut, 404: ErrorOut}, auth=signed_in)
def kpi_source_upload(request: AuthenticatedHttpRequest, project_id: ObjectId, kind: str,
                      file: File[UploadedFile]) -> Status:
    """The applicant's source records of the drawn month (`kind` roster or calls; multipart
    `file`, xlsx or CSV); the checks are recomputed."""
    project, _access = _project(request, project_id, applicant=True)
    if kind not in KpiSourceKind.values:
        raise HttpError(404, _("Not found."))
    try:
        source = services.kpi_source_upload(project=project, kind=kind, upload=file,
                                            name=file.name, by=request.user)
    except services.ReviewError as error:
        return _refused(error)
    return Status(201, KpiSourceOut(id=source.pk, kind=source.kind,
                                    month=month_text(source.month),
                                    file_name=source.original_name, rows=source.rows,
                                    counts=source.counts, uploaded_at=source.uploaded_at))


@router.get("/projects/{project_id}/kpi/checks",
            response={200: list[KpiCheckOut], 404: ErrorOut}, auth=signed_in)
def kpi_checks(request: AuthenticatedHttpRequest, project_id: ObjectId) -> list[KpiCheckOut]:
    """The drawn month's KPIs recomputed from source records, each flagged beyond the
    tolerance."""
    project, _access = _project(request, project_id)
    return [kpi_check_out(check) for check in KpiCheck.objects.filter(
        data_set__project=project).order_by("kpi")]
