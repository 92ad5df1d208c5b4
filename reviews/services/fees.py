"""Reviewers' fees: a certification admin records, per project and reviewer, the days of
document review and on site, and travel costs; the daily labour fee is the setting in force
when the record is made, kept on it (a later change of `REVIEWS_DAILY_FEE` rewrites no record).
The platform records for the consulting firm that pays; it pays nothing out.

Edits are allowed at any time and each is audited with the values before and after
(`reviews.fee.recorded`, `reviews.fee.changed`): the statement of a period is what the records
say when it is exported, and the audit log says what changed since."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import audit_record

from ..conf import money_setting
from ..errors import ReviewError
from ..models import MemberState, ReviewerFee, TeamMember

RECORD_FEES_PERM = "reviews.record_fees"
# The most days of either kind one record may have (a typing slip of 100 days is refused).
MAX_DAYS = Decimal("60")
HALF = Decimal("0.5")


def daily_fee_current() -> Decimal:
    return money_setting("REVIEWS_DAILY_FEE")


def _days(value: Decimal, field: str, errors: dict[str, list[str]]) -> Decimal:
    try:
        days = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = [_("Enter a number of days.")]
        return Decimal(0)
    if not days.is_finite() or days < 0 or days > MAX_DAYS or days % HALF != 0:
        errors[field] = [_("Enter the days in half days, from 0 to %(max)s.")
                         % {"max": MAX_DAYS}]
    return days


def _snapshot(fee: ReviewerFee) -> dict[str, str]:
    return {"work_ended_on": fee.work_ended_on.isoformat(),
            "document_days": str(fee.document_days), "onsite_days": str(fee.onsite_days),
            "daily_fee": str(fee.daily_fee), "travel_amount": str(fee.travel_amount),
            "travel_note": fee.travel_note}


@transaction.atomic
def fee_record(*, member: TeamMember, by: User, work_ended_on: dt.date,
               document_days: Decimal, onsite_days: Decimal,
               travel_amount: Decimal = Decimal("0.00"), travel_note: str = "",
               now: dt.datetime | None = None) -> ReviewerFee:
    """Record (or correct) the fee of `member`'s place on its project. A new record takes the
    daily fee in force now; a correction keeps the one it was recorded with. Days in half
    days; travel costs with what they were for. Audited."""
    now = now or timezone.now()
    if not by.has_perm(RECORD_FEES_PERM):
        raise ReviewError(_("Only a certification admin records reviewers' fees."),
                          code="forbidden")
    member = TeamMember.objects.select_for_update().select_related("project").get(pk=member.pk)
    if member.state == MemberState.DECLINED:
        raise ReviewError(_("This reviewer declined the place: there is no fee to record."))
    errors: dict[str, list[str]] = {}
    document_days = _days(document_days, "document_days", errors)
    onsite_days = _days(onsite_days, "onsite_days", errors)
    try:
        travel = Decimal(travel_amount)
        travel = travel.quantize(Decimal("0.01")) if travel.is_finite() else Decimal(-1)
    except (InvalidOperation, TypeError, ValueError):
        travel = Decimal(0)
        errors["travel_amount"] = [_("Enter the travel costs in CNY.")]
    if travel < 0 or travel >= Decimal("100000000"):
        errors["travel_amount"] = [_("Enter the travel costs in CNY (0 or more).")]
    travel_note = travel_note.strip()
    if travel > 0 and not travel_note:
        errors["travel_note"] = [_("Say what the travel costs were for.")]
    if not errors and document_days + onsite_days == 0 and travel == 0:
        errors["document_days"] = [_("Enter the days worked or the travel costs.")]
    if errors:
        raise ReviewError(errors)
    fee = ReviewerFee.objects.filter(member=member).first()
    values = {"work_ended_on": work_ended_on, "document_days": document_days,
              "onsite_days": onsite_days, "travel_amount": travel, "travel_note": travel_note}
    if fee is None:
        fee = ReviewerFee.objects.create(member=member, daily_fee=daily_fee_current(),
                                         recorded_by=by, recorded_at=now, updated_at=now,
                                         **values)
        audit_record(actor=by, action="reviews.fee.recorded", target=fee,
                     data={"member": member.pk, "reviewer": member.reviewer_id,
                           "project": member.project_id, **_snapshot(fee)})
        return fee
    before = _snapshot(fee)
    for name, value in values.items():
        setattr(fee, name, value)
    fee.updated_at = now
    fee.save()
    after = _snapshot(fee)
    if after != before:
        audit_record(actor=by, action="reviews.fee.changed", target=fee,
                     data={"member": member.pk, "reviewer": member.reviewer_id,
                           "project": member.project_id, "before": before, "after": after})
    return fee
