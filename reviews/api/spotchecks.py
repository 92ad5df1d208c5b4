"""/api/v1/reviews/: the expert committee's spot-checks (draw, verify, list, the sample,
re-judge, findings, complete), sanctions and the resolution of appeals, reviewers' records;
a reviewer's own record and appeal. The pages' permissions: `reviews.spot_check` for the
committee (403 otherwise), `selectors.record_open_to` / `sanction_for_reviewer` for a
reviewer's own (404 for anyone else)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut, form_error
from core.bounds import ObjectId
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..forms import AppealResolveForm, JudgementForm, SanctionAppealForm, SpotCheckCompleteForm
from ..models import Finding, Sanction, SanctionAppeal, SpotCheck, SpotCheckReview
from ..selectors import ReviewerRecord, SampledItem
from ..spotcheck import Agreement

router = Router(tags=["reviews"])
PERM = services.SPOT_CHECK_PERM


class SpotCheckReviewOut(Schema):
    id: int
    project_id: int
    organisation: str
    sample: dict[str, list[int]] = Field(description="Module number → the item ids re-judged")
    modules: dict[str, list[int]] = Field(description="Module number → its item ids, frozen")
    judged: int


class SpotCheckOut(Schema):
    id: int
    state: str
    seed: str
    pool: list[int] = Field(description="The frozen pool: decided reviews (project ids)")
    exclusions: dict[str, list[str]] = Field(description='Project id → reason codes '
                                             '("conflict", "checked")')
    rate: int
    minimum: int
    item_rate: int
    item_minimum: int
    selected: list[int]
    drawn_by: str
    drawn_at: dt.datetime
    outcome: str
    completed_at: dt.datetime | None
    reviews: list[SpotCheckReviewOut]


class SpotCheckVerifyOut(Schema):
    matches: bool
    stored: list[int]
    recomputed: list[int]
    samples: dict[str, dict[str, list[int]]] = Field(description="Project id → module → items")


class AgreementRateOut(Schema):
    checked: int
    agreed: int
    rate: str | None = Field(description='Exact, as a fraction "agreed/checked" in lowest '
                             "terms (null with nothing checked)")
    percent: str


class SpotCheckVerdictOut(Schema):
    verdict: str
    reason: str


class SpotCheckReviewerVerdictOut(SpotCheckVerdictOut):
    reviewer_id: int
    reviewer: str
    role: str
    own: bool = Field(description="False: the lead's final judgement stands for theirs")


class SpotCheckFindingOut(Schema):
    id: int
    spot_check_id: int
    project_id: int
    organisation: str
    item_id: int
    item_code: str
    committee_verdict: str
    final_verdict: str
    disagrees_with_final: bool
    reviewers: list[int]
    reason: str
    created_at: dt.datetime


class SpotCheckItemOut(Schema):
    item_id: int
    code: str
    title: str
    module: int
    final: SpotCheckVerdictOut | None
    team: list[SpotCheckReviewerVerdictOut]
    committee: SpotCheckVerdictOut | None
    finding: SpotCheckFindingOut | None


class SpotCheckRejudgeIn(Schema):
    verdict: str = Field(description='"conforms" (符合) or "not_conforms" (不符合)')
    reason: str


class SpotCheckCompleteIn(Schema):
    outcome: str


class SanctionIn(Schema):
    action: str = Field(description='"warn", "suspend" or "withdraw"')
    reason: str
    findings: list[ObjectId]
    reason_public: bool = False


class SanctionAppealOut(Schema):
    id: int
    state: str
    reason: str
    created_at: dt.datetime
    resolution: str
    resolved_at: dt.datetime | None


class SanctionOut(Schema):
    id: int
    reviewer_id: int
    credential: str
    credential_status: str
    action: str
    state: str
    reason: str
    findings: list[int]
    created_at: dt.datetime
    appeals: list[SanctionAppealOut]


class SanctionAppealIn(Schema):
    reason: str


class SanctionAppealResolveIn(Schema):
    upheld: bool
    resolution: str


class ReviewerRecordRowOut(Schema):
    project_id: int
    organisation: str
    role: str
    days: Decimal
    decided_at: dt.datetime | None
    counts: bool = Field(description="Counts as a completed review (no sanction in force "
                         "rests on a finding in it)")


class AgreementPeriodOut(Schema):
    period: str
    agreement: AgreementRateOut


class ReviewerRecordOut(Schema):
    reviewer_id: int
    reviewer: str
    completed: int
    agreement: AgreementRateOut
    by_quarter: list[AgreementPeriodOut]
    by_spotcheck: list[AgreementPeriodOut]
    reviews: list[ReviewerRecordRowOut]
    findings: list[SpotCheckFindingOut]
    sanctions: list[SanctionOut]


class ReviewerRecordSummaryOut(Schema):
    reviewer_id: int
    reviewer: str
    completed: int
    agreement: AgreementRateOut


def _refused(error: services.ReviewError) -> Status[ErrorOut]:
    return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))


def _not_found() -> HttpError:
    return HttpError(404, _("Not found."))


def _agreement(agreement: Agreement) -> AgreementRateOut:
    rate = agreement.rate
    return AgreementRateOut(checked=agreement.checked, agreed=agreement.agreed,
                        rate=None if rate is None else f"{rate.numerator}/{rate.denominator}",
                        percent=agreement.percent)


def _spot_check(spot_check: SpotCheck) -> SpotCheckOut:
    reviews: list[SpotCheckReview] = list(spot_check.reviews.all())
    return SpotCheckOut(
        id=spot_check.pk, state=spot_check.state, seed=spot_check.seed, pool=spot_check.pool,
        exclusions=spot_check.exclusions, rate=spot_check.rate, minimum=spot_check.minimum,
        item_rate=spot_check.item_rate, item_minimum=spot_check.item_minimum,
        selected=spot_check.selected, drawn_by=spot_check.created_by.display_name,
        drawn_at=spot_check.created_at, outcome=spot_check.outcome,
        completed_at=spot_check.completed_at,
        reviews=[SpotCheckReviewOut(
            id=r.pk, project_id=r.project_id, organisation=r.project.organisation.name,
            sample=r.sample, modules=r.modules, judged=getattr(r, "judged", 0)) for r in reviews])


def _finding(finding: Finding) -> SpotCheckFindingOut:
    judgement = finding.judgement
    return SpotCheckFindingOut(
        id=finding.pk, spot_check_id=judgement.review.spot_check_id,
        project_id=judgement.review.project_id,
        organisation=judgement.review.project.organisation.name, item_id=judgement.item_id,
        item_code=judgement.item.code, committee_verdict=judgement.verdict,
        final_verdict=finding.final_verdict, disagrees_with_final=finding.disagrees_with_final,
        reviewers=sorted(r.pk for r in finding.reviewers.all()), reason=finding.reason,
        created_at=finding.created_at)


def _sampled(row: SampledItem) -> SpotCheckItemOut:
    finding = None
    if row.finding is not None:
        finding = _finding(selectors.spotcheck_findings().get(pk=row.finding.pk))
    final = (SpotCheckVerdictOut(verdict=row.final.verdict, reason=row.final.reason)
             if row.final else None)
    return SpotCheckItemOut(
        item_id=row.item.pk, code=row.item.code, title=row.title, module=row.module,
        final=final,
        team=[SpotCheckReviewerVerdictOut(reviewer_id=v.reviewer.pk,
                                          reviewer=v.reviewer.display_name, role=v.role,
                                          verdict=v.verdict, reason=v.reason, own=v.own)
              for v in row.team],
        committee=(SpotCheckVerdictOut(verdict=row.check.verdict, reason=row.check.reason)
                   if row.check else None),
        finding=finding)


def _appeal(appeal: SanctionAppeal) -> SanctionAppealOut:
    return SanctionAppealOut(id=appeal.pk, state=appeal.state, reason=appeal.reason,
                     created_at=appeal.created_at, resolution=appeal.resolution,
                     resolved_at=appeal.resolved_at)


def _sanction(sanction: Sanction) -> SanctionOut:
    return SanctionOut(
        id=sanction.pk, reviewer_id=sanction.reviewer_id, credential=sanction.credential.number,
        credential_status=sanction.credential.status, action=sanction.action,
        state=sanction.state, reason=sanction.reason,
        findings=sorted(f.pk for f in sanction.findings.all()), created_at=sanction.created_at,
        appeals=[_appeal(a) for a in sanction.appeals.all()])


def _record(record: ReviewerRecord) -> ReviewerRecordOut:
    return ReviewerRecordOut(
        reviewer_id=record.reviewer.pk, reviewer=record.reviewer.display_name,
        completed=record.completed, agreement=_agreement(record.agreement),
        by_quarter=[AgreementPeriodOut(period=r.period, agreement=_agreement(r.agreement))
                    for r in record.by_quarter],
        by_spotcheck=[AgreementPeriodOut(period=r.period, agreement=_agreement(r.agreement))
                      for r in record.by_spotcheck],
        reviews=[ReviewerRecordRowOut(project_id=row.project.pk,
                              organisation=row.project.organisation.name,
                              role=row.member.role, days=row.days,
                              decided_at=row.project.decided_at, counts=row.counts)
                 for row in record.rows],
        findings=[_finding(f) for f in record.findings],
        sanctions=[_sanction(s) for s in record.sanctions])


def _spot_check_or_404(pk: int) -> SpotCheck:
    spot_check = selectors.spot_check_get(pk)
    if spot_check is None:
        raise _not_found()
    return spot_check


def _review_or_404(pk: int) -> SpotCheckReview:
    review = selectors.spot_check_review_get(pk)
    if review is None:
        raise _not_found()
    return review


# --------------------------------------------------------------------------- the committee


@router.get("/staff/spotchecks", response={200: list[SpotCheckOut], 403: ErrorOut},
            auth=signed_in)
def spotchecks_list(request: AuthenticatedHttpRequest) -> list[SpotCheckOut]:
    """Every spot-check, newest first, with its frozen pool, seed and samples."""
    permission_check(request, PERM)
    return [_spot_check(s) for s in selectors.spot_checks()]


@router.post("/staff/spotchecks", response={201: SpotCheckOut, 400: ErrorOut, 403: ErrorOut},
             auth=signed_in)
def spotcheck_draw(request: AuthenticatedHttpRequest) -> Status:
    """Draw a spot-check (the caller re-judges it); 400 when no decided review can be drawn."""
    permission_check(request, PERM)
    try:
        spot_check = services.spotcheck_draw(by=request.user)
    except services.ReviewError as error:
        return _refused(error)
    return Status(201, _spot_check(_spot_check_or_404(spot_check.pk)))


@router.get("/staff/spotchecks/{spotcheck_id}",
            response={200: SpotCheckOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def spotcheck_detail(request: AuthenticatedHttpRequest, spotcheck_id: ObjectId) -> SpotCheckOut:
    permission_check(request, PERM)
    return _spot_check(_spot_check_or_404(spotcheck_id))


@router.get("/staff/spotchecks/{spotcheck_id}/verify",
            response={200: SpotCheckVerifyOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def spotcheck_verify(request: AuthenticatedHttpRequest,
                     spotcheck_id: ObjectId) -> SpotCheckVerifyOut:
    """The selection recomputed from the stored pool, frozen items and seed."""
    permission_check(request, PERM)
    spot_check = _spot_check_or_404(spotcheck_id)
    check = services.spotcheck_verify(spot_check)
    return SpotCheckVerifyOut(matches=check.matches, stored=spot_check.selected,
                              recomputed=check.selected,
                              samples={str(k): v for k, v in check.samples.items()})


@router.get("/staff/spotchecks/reviews/{review_id}/sample",
            response={200: list[SpotCheckItemOut], 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def spotcheck_sample(request: AuthenticatedHttpRequest,
                     review_id: ObjectId) -> list[SpotCheckItemOut]:
    """A drawn review's sampled items with the team's final judgement, each reviewer's, the
    committee's re-judgement and its finding."""
    permission_check(request, PERM)
    return [_sampled(row) for row in selectors.spotcheck_sample(_review_or_404(review_id))]


@router.put("/staff/spotchecks/reviews/{review_id}/items/{item_id}",
            response={200: SpotCheckItemOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            auth=signed_in)
def spotcheck_rejudge(request: AuthenticatedHttpRequest, review_id: ObjectId, item_id: ObjectId,
                      payload: SpotCheckRejudgeIn) -> Status:
    """Re-judge a sampled item (the committee member who drew the spot-check)."""
    permission_check(request, PERM)
    review = _review_or_404(review_id)
    form = JudgementForm({"verdict": payload.verdict, "reason": payload.reason})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        services.spotcheck_item_judge(review=review, item_id=item_id, by=request.user,
                                      verdict=form.cleaned_data["verdict"],
                                      reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        return _refused(error)
    row = next(r for r in selectors.spotcheck_sample(review) if r.item.pk == item_id)
    return Status(200, _sampled(row))


@router.get("/staff/spotchecks/{spotcheck_id}/findings",
            response={200: list[SpotCheckFindingOut], 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def spotcheck_findings(request: AuthenticatedHttpRequest,
                       spotcheck_id: ObjectId) -> list[SpotCheckFindingOut]:
    permission_check(request, PERM)
    return [_finding(f) for f in selectors.spotcheck_findings(_spot_check_or_404(spotcheck_id))]


@router.post("/staff/spotchecks/{spotcheck_id}/complete",
             response={200: SpotCheckOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def spotcheck_complete(request: AuthenticatedHttpRequest, spotcheck_id: ObjectId,
                       payload: SpotCheckCompleteIn) -> Status:
    """Record the outcome once every sampled item is re-judged."""
    permission_check(request, PERM)
    spot_check = _spot_check_or_404(spotcheck_id)
    form = SpotCheckCompleteForm({"outcome": payload.outcome})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        services.spotcheck_complete(spot_check=spot_check, by=request.user,
                                    outcome=form.cleaned_data["outcome"])
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, _spot_check(_spot_check_or_404(spotcheck_id)))


@router.get("/staff/reviewers", response={200: list[ReviewerRecordSummaryOut], 403: ErrorOut},
            auth=signed_in)
def reviewers_list(request: AuthenticatedHttpRequest) -> list[ReviewerRecordSummaryOut]:
    """Every reviewer with their completed platform reviews and agreement rate."""
    permission_check(request, PERM)
    return [ReviewerRecordSummaryOut(reviewer_id=r.pk, reviewer=r.display_name, completed=completed,
                               agreement=_agreement(agreement))
            for r, completed, agreement in selectors.reviewers_with_records()]


@router.get("/staff/reviewers/{reviewer_id}/record",
            response={200: ReviewerRecordOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def reviewer_record(request: AuthenticatedHttpRequest, reviewer_id: ObjectId) -> ReviewerRecordOut:
    permission_check(request, PERM)
    reviewer = selectors.record_open_to(request.user, reviewer_id)
    if reviewer is None:
        raise _not_found()
    return _record(selectors.reviewer_record(reviewer))


@router.post("/staff/reviewers/{reviewer_id}/sanctions",
             response={201: SanctionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def sanction_impose(request: AuthenticatedHttpRequest, reviewer_id: ObjectId,
                    payload: SanctionIn) -> Status:
    """Warn, suspend or withdraw on findings naming the reviewer, with a reason (the API
    caller's request is the confirmation the page asks for)."""
    permission_check(request, PERM)
    reviewer = selectors.record_open_to(request.user, reviewer_id)
    if reviewer is None:
        raise _not_found()
    try:
        sanction = services.sanction_impose(
            reviewer=reviewer, action=payload.action, reason=payload.reason,
            finding_ids=payload.findings, by=request.user, reason_public=payload.reason_public)
    except services.ReviewError as error:
        return _refused(error)
    found = selectors.sanction_get(sanction.pk)
    assert found is not None
    return Status(201, _sanction(found))


@router.post("/staff/appeals/{appeal_id}/resolve",
             response={200: SanctionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def appeal_resolve(request: AuthenticatedHttpRequest, appeal_id: ObjectId,
                   payload: SanctionAppealResolveIn) -> Status:
    """Uphold (the sanction is reversed) or reject an appeal, with the reason."""
    permission_check(request, PERM)
    appeal = selectors.sanction_appeal_get(appeal_id)
    if appeal is None:
        raise _not_found()
    form = AppealResolveForm({"upheld": "yes" if payload.upheld else "no",
                              "resolution": payload.resolution})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        services.sanction_appeal_resolve(appeal=appeal, by=request.user,
                                         upheld=form.cleaned_data["upheld"],
                                         resolution=form.cleaned_data["resolution"])
    except services.ReviewError as error:
        return _refused(error)
    found = selectors.sanction_get(appeal.sanction_id)
    assert found is not None
    return Status(200, _sanction(found))


# --------------------------------------------------------------------------- the reviewer


@router.get("/record", response={200: ReviewerRecordOut, 404: ErrorOut}, auth=signed_in)
def my_record(request: AuthenticatedHttpRequest) -> ReviewerRecordOut:
    """My record as a reviewer (404 for someone who never held a reviewer credential)."""
    reviewer = selectors.record_open_to(request.user, request.user.pk)
    if reviewer is None:
        raise _not_found()
    return _record(selectors.reviewer_record(reviewer))


@router.post("/sanctions/{sanction_id}/appeal",
             response={201: SanctionOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def sanction_appeal(request: AuthenticatedHttpRequest, sanction_id: ObjectId,
                    payload: SanctionAppealIn) -> Status:
    """Appeal one of my sanctions, with my reasons."""
    sanction = selectors.sanction_for_reviewer(request.user, sanction_id)
    if sanction is None:
        raise _not_found()
    form = SanctionAppealForm({"reason": payload.reason})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        services.sanction_appeal_lodge(sanction=sanction, by=request.user,
                                       reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        return _refused(error)
    found = selectors.sanction_get(sanction.pk)
    assert found is not None
    return Status(201, _sanction(found))
