"""/api/v1/reviews/: reviewers' fees. A reviewer reads their own statement; the certification
admins (`reviews.record_fees`) read the statement of a period for all reviewers or one, and
record or correct a place's days and travel costs. Same selectors, services and permission as
the pages (reviews/views/fees.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.models import User
from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut
from core.bounds import ObjectId

from .. import selectors, services
from ..forms import PeriodForm
from ..selectors import FeeLine, FeeStatement, FeeTotals
from ..services.fees import RECORD_FEES_PERM
from ..views.fees import month_bounds

router = Router(tags=["reviews"])


class FeeTotalsOut(Schema):
    document_days: Decimal
    onsite_days: Decimal
    labour: Decimal = Field(description="Σ days × daily fee, CNY")
    travel: Decimal
    total: Decimal


class FeeLineOut(Schema):
    member_id: int
    reviewer_id: int
    reviewer: str
    project_id: int
    project_reference: str
    organisation: str
    role: str
    work_ended_on: dt.date
    document_days: Decimal
    onsite_days: Decimal
    daily_fee: Decimal = Field(description="Kept from when the record was made, CNY")
    labour: Decimal
    travel_amount: Decimal
    travel_note: str
    total: Decimal


class ReviewerFeeStatementOut(Schema):
    reviewer_id: int
    reviewer: str
    lines: list[FeeLineOut]
    totals: FeeTotalsOut


class FeeStatementOut(Schema):
    start: dt.date
    end: dt.date
    reviewers: list[ReviewerFeeStatementOut]
    totals: FeeTotalsOut


class FeeRecordIn(Schema):
    work_ended_on: dt.date
    document_days: Decimal = Field(description="In half days, 0 to 60")
    onsite_days: Decimal = Field(description="In half days, 0 to 60")
    travel_amount: Decimal = Decimal("0.00")
    travel_note: str = Field("", max_length=300)


def _totals(totals: FeeTotals) -> FeeTotalsOut:
    return FeeTotalsOut(document_days=totals.document_days, onsite_days=totals.onsite_days,
                        labour=totals.labour, travel=totals.travel, total=totals.total)


def _line(line: FeeLine) -> FeeLineOut:
    fee = line.fee
    return FeeLineOut(
        member_id=line.member.pk, reviewer_id=line.reviewer.pk,
        reviewer=line.reviewer.display_name, project_id=line.project.pk,
        project_reference=line.project.reference, organisation=line.project.organisation.name,
        role=line.member.role, work_ended_on=fee.work_ended_on,
        document_days=fee.document_days, onsite_days=fee.onsite_days, daily_fee=fee.daily_fee,
        labour=line.labour, travel_amount=fee.travel_amount, travel_note=fee.travel_note,
        total=line.total)


def _statement(statement: FeeStatement) -> FeeStatementOut:
    return FeeStatementOut(
        start=statement.start, end=statement.end,
        reviewers=[ReviewerFeeStatementOut(
            reviewer_id=s.reviewer.pk, reviewer=s.reviewer.display_name,
            lines=[_line(line) for line in s.lines], totals=_totals(s.totals))
            for s in statement.reviewers],
        totals=_totals(statement.totals))


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date] | ErrorOut:
    """The page's period rule (PeriodForm): the current month by default."""
    default_start, default_end = month_bounds(timezone.localdate())
    form = PeriodForm({"start": start or default_start, "end": end or default_end})
    if not form.is_valid():
        return ErrorOut(detail=" ".join(str(m) for errors in form.errors.values()
                                        for m in errors), code="invalid_period")
    return form.cleaned_data["start"], form.cleaned_data["end"]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@router.get("/fees/mine", response={200: FeeStatementOut, 400: ErrorOut}, auth=signed_in)
def fees_mine(request: HttpRequest, start: dt.date | None = None,
              end: dt.date | None = None) -> Status:
    """My statement: the fees recorded for my places on review teams whose work ended in the
    period (default: the current month)."""
    period = _period(start, end)
    if isinstance(period, ErrorOut):
        return Status(400, period)
    return Status(200, _statement(selectors.fee_statement(
        start=period[0], end=period[1], reviewer=_user(request))))


@router.get("/staff/fees", response={200: FeeStatementOut, 400: ErrorOut, 403: ErrorOut,
                                     404: ErrorOut}, auth=signed_in)
def staff_fees(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None,
               reviewer_id: ObjectId | None = None) -> Status:
    """The statement of a period for every reviewer, or one (`reviewer_id`)."""
    permission_check(request, RECORD_FEES_PERM)
    period = _period(start, end)
    if isinstance(period, ErrorOut):
        return Status(400, period)
    reviewer = None
    if reviewer_id is not None:
        reviewer = selectors.users_by_id([reviewer_id]).get(reviewer_id)
        if reviewer is None:
            return Status(404, ErrorOut(detail=_("Not found."), code="not_found"))
    return Status(200, _statement(selectors.fee_statement(
        start=period[0], end=period[1], reviewer=reviewer)))


@router.put("/staff/fees/members/{member_id}",
            response={200: FeeLineOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            auth=signed_in)
def staff_fee_record(request: HttpRequest, member_id: ObjectId, payload: FeeRecordIn) -> Status:
    """Record (or correct) the days and travel costs of a place on a team; a new record takes
    the daily fee in force, a correction keeps its own. Audited."""
    permission_check(request, RECORD_FEES_PERM)
    member = selectors.fee_member(member_id)
    if member is None:
        return Status(404, ErrorOut(detail=_("Not found."), code="not_found"))
    try:
        fee = services.fee_record(member=member, by=_user(request),
                                  work_ended_on=payload.work_ended_on,
                                  document_days=payload.document_days,
                                  onsite_days=payload.onsite_days,
                                  travel_amount=payload.travel_amount,
                                  travel_note=payload.travel_note)
    except ValidationError as error:
        return Status(400, ErrorOut(detail=" ".join(str(m) for m in error.messages),
                                    code=getattr(error, "code", None) or "invalid"))
    fee.member = member
    return Status(200, _line(FeeLine(fee)))
