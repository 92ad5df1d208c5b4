"""/api/v1/reviews/: the KPI benchmark by industry for the expert committee and the
certification admins (`reviews.view_benchmark`), an organisation's own position for its members,
and its admin's consent to be named. The selectors build no figure for a suppressed cell, so
none can be answered here; same permissions as the pages (reviews/views/benchmark.py)."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.models import User
from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut
from core.bounds import ObjectId

from .. import selectors, services
from ..benchmark import shown
from ..views.benchmark import VIEW_BENCHMARK_PERM

router = Router(tags=["reviews"])


class BenchmarkContributionOut(Schema):
    name: str | None = Field(description="Only when the organisation agreed to be named")
    value: Decimal


class BenchmarkCellOut(Schema):
    industry: str
    industry_label: str
    n: int = Field(description="Organisations (at least REVIEWS_BENCHMARK_MIN_ORGANISATIONS)")
    p25: Decimal
    median: Decimal
    p75: Decimal
    contributions: list[BenchmarkContributionOut] = Field(
        description="Best first by the KPI's direction")


class BenchmarkKpiOut(Schema):
    kpi: str
    label: str
    unit: str
    higher_is_better: bool
    cells: list[BenchmarkCellOut] = Field(description="Only the cells shown")
    hidden_industries: list[str] = Field(description="Every other industry: no figure shown")


class BenchmarkKpiPositionOut(Schema):
    kpi: str
    label: str
    unit: str
    higher_is_better: bool
    value: Decimal | None = Field(description="The organisation's own value")
    compared: bool = Field(description="False when its industry's cell is not shown")
    p25: Decimal | None
    median: Decimal | None
    p75: Decimal | None
    band: str | None = Field(description='"top", "second", "third" or "bottom" quarter, '
                                         "best first")
    against_median: str | None = Field(description='"better", "same" or "worse"')


class BenchmarkPositionOut(Schema):
    organisation_id: int
    industry: str | None
    reviewed: bool = Field(description="Its values come from a decided review")
    project_id: int | None
    named: bool = Field(description="Agreed to be named in the benchmark")
    kpis: list[BenchmarkKpiPositionOut]


class BenchmarkConsentIn(Schema):
    named: bool


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@router.get("/staff/benchmark", response={200: list[BenchmarkKpiOut], 403: ErrorOut},
            auth=signed_in)
def benchmark(request: HttpRequest) -> Status:
    """For each KPI and industry with enough organisations: n, P25, median, P75 (exact, shown
    to 2 places) and the organisations' values, named only with their consent."""
    permission_check(request, VIEW_BENCHMARK_PERM)
    return Status(200, [BenchmarkKpiOut(
        kpi=kpi.kpi, label=kpi.label, unit=kpi.unit,
        higher_is_better=kpi.definition.higher_is_better,
        cells=[BenchmarkCellOut(
            industry=cell.industry, industry_label=cell.industry_label, n=cell.n,
            p25=shown(cell.quartiles.p25), median=shown(cell.quartiles.median),
            p75=shown(cell.quartiles.p75),
            contributions=[BenchmarkContributionOut(name=c.name, value=shown(c.value))
                           for c in cell.contributions])
            for cell in kpi.cells],
        hidden_industries=kpi.hidden_industries) for kpi in selectors.benchmark()])


def _position(organisation_id: int, user: User) -> BenchmarkPositionOut:
    if not selectors.benchmark_position_open_to(user, organisation_id):
        raise Http404
    membership = selectors.organisation_membership(user, organisation_id)
    assert membership is not None
    position = selectors.organisation_benchmark_position(membership.organisation)
    profile = getattr(membership.organisation, "review_profile", None)
    return BenchmarkPositionOut(
        organisation_id=organisation_id, industry=position.industry,
        reviewed=position.reviewed,
        project_id=position.project.pk if position.project else None,
        named=bool(profile and profile.benchmark_named),
        kpis=[BenchmarkKpiPositionOut(
            kpi=k.definition.kpi.value, label=k.label, unit=k.unit,
            higher_is_better=k.definition.higher_is_better,
            value=shown(k.value) if k.value is not None else None, compared=k.cell is not None,
            p25=shown(k.cell.quartiles.p25) if k.cell else None,
            median=shown(k.cell.quartiles.median) if k.cell else None,
            p75=shown(k.cell.quartiles.p75) if k.cell else None,
            band=k.band, against_median=k.against_median) for k in position.kpis])


@router.get("/organisations/{organisation_id}/benchmark",
            response={200: BenchmarkPositionOut, 404: ErrorOut}, auth=signed_in)
def organisation_benchmark(request: HttpRequest, organisation_id: ObjectId) -> Status:
    """My organisation's own position on each KPI against its industry (its members)."""
    return Status(200, _position(organisation_id, _user(request)))


@router.put("/organisations/{organisation_id}/benchmark/consent",
            response={200: BenchmarkPositionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            auth=signed_in)
def organisation_benchmark_consent(request: HttpRequest, organisation_id: ObjectId,
                                   payload: BenchmarkConsentIn) -> Status:
    """The organisation's admin agrees (or no longer agrees) to be named in the benchmark."""
    user = _user(request)
    if not selectors.benchmark_position_open_to(user, organisation_id):
        raise Http404
    membership = selectors.organisation_membership(user, organisation_id)
    assert membership is not None
    try:
        services.benchmark_consent_set(organisation=membership.organisation, by=user,
                                       named=payload.named)
    except services.ReviewError as error:
        code = getattr(error, "code", None) or "invalid"
        return Status(403 if code == "forbidden" else 400,
                      ErrorOut(detail=" ".join(str(m) for m in error.messages), code=code))
    return Status(200, _position(organisation_id, user))
