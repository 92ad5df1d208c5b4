"""Cancelling a cohort: every enrolment cancelled, every payment refunded in full."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record

from ..errors import LmsError
from ..models import Cohort, Enrolment
from .common import cohort_lock
from .enrolment import enrolment_cancel


@transaction.atomic
def cohort_cancel(*, cohort_id: int, by: User, reason: str) -> Cohort:
    """Cancel a cohort: every enrolment is cancelled and every payment refunded in full."""
    if not reason.strip():
        raise LmsError(_("Please give a reason for cancelling the cohort."), code="reason")
    cohort = cohort_lock(cohort_id)
    if cohort.status == Cohort.Status.CANCELLED:
        return cohort
    for enrolment_id in cohort.enrolments.filter(
        state__in=[Enrolment.State.PENDING_PAYMENT, Enrolment.State.CONFIRMED,
                   Enrolment.State.WAITLISTED]
    ).values_list("pk", flat=True):
        enrolment_cancel(
            enrolment_id=enrolment_id, by=by, reason=reason, full_refund=True,
            reason_code=Enrolment.CancelReason.COHORT_CANCELLED,
        )
    cohort.status = Cohort.Status.CANCELLED
    cohort.cancelled_reason = reason
    cohort.save(update_fields=["status", "cancelled_reason"])
    audit_record(actor=by, action="lms.cohort.cancelled", target=cohort, reason=reason)
    return cohort
