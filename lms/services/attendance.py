"""Attendance by day; three days present (or a recorded exception) complete the course."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import CANDIDATE
from accounts.services import user_role_grant
from core.services import audit_record

from ..errors import EnrolmentStateError, LmsError
from ..models import COURSE_DAYS, Attendance, Enrolment
from .common import SELF_ONLY, current_time, enrolment_lock
from .notifications import email_enrolment


@transaction.atomic
def attendance_mark(*, enrolment_id: int, day: int, present: bool, by: User) -> Enrolment:
    """Mark one day for one trainee. All three days present completes the enrolment."""
    if day not in range(1, COURSE_DAYS + 1):
        raise LmsError(_("The course has days 1 to 3."), code="day")
    enrolment = Enrolment.objects.select_for_update(of=SELF_ONLY).select_related("cohort").get(
        pk=enrolment_id
    )
    if enrolment.state not in Enrolment.SEATED_STATES:
        raise EnrolmentStateError(
            _("Attendance can only be marked for confirmed enrolments."), code="not_confirmed"
        )
    if enrolment.cohort.days[day - 1] > timezone.localdate():
        raise LmsError(_("Attendance cannot be marked before the day itself."), code="future")
    attendance, created = Attendance.objects.get_or_create(
        enrolment=enrolment, day=day, defaults={"present": present, "marked_by": by}
    )
    if not created and attendance.present != present:
        attendance.present = present
        attendance.marked_by = by
        attendance.save(update_fields=["present", "marked_by", "marked_at"])
    elif not created:
        return enrolment
    audit_record(
        actor=by, action="lms.attendance.marked", target=enrolment,
        data={"day": day, "present": present},
    )
    if (
        enrolment.state == Enrolment.State.CONFIRMED
        and enrolment.attendances.filter(present=True).count() == COURSE_DAYS
    ):
        _complete(enrolment, by=by)
    return enrolment


@transaction.atomic
def enrolment_complete_exception(*, enrolment_id: int, by: User, reason: str) -> Enrolment:
    """Complete an enrolment without all days attended (illness with make-up work, etc.)."""
    if not reason.strip():
        raise LmsError(_("Please give the reason for this exception."), code="reason")
    enrolment = enrolment_lock(enrolment_id)
    if enrolment.state == Enrolment.State.COMPLETED:
        return enrolment
    if enrolment.state != Enrolment.State.CONFIRMED:
        raise EnrolmentStateError(
            _("Only a confirmed enrolment can be completed."), code="not_confirmed"
        )
    enrolment.completion_exception = reason.strip()
    enrolment.save(update_fields=["completion_exception"])
    _complete(enrolment, by=by, reason=reason)
    return enrolment


def _complete(enrolment: Enrolment, *, by: User | None, reason: str = "") -> None:
    enrolment.state = Enrolment.State.COMPLETED
    enrolment.completed_at = current_time()
    enrolment.save(update_fields=["state", "completed_at"])
    audit_record(
        actor=by, action="lms.enrolment.completed", target=enrolment, reason=reason,
        data={"exception": bool(reason)},
    )
    user_role_grant(
        user=enrolment.user, role=CANDIDATE, granted_by=by,
        reason=f"completed {enrolment.cohort.course.code}",
    )
    email_enrolment(enrolment, "completed")
