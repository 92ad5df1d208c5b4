"""Accommodations: extra time for a person, before or during an attempt."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import audit_record

from ..errors import ExamError
from ..models import Accommodation, Attempt, AttemptEventKind, AttemptState, Exam
from .clock import accommodation_minutes, attempt_deadline
from .events import attempt_log


@transaction.atomic
def accommodation_grant(*, exam: Exam, user: User, extra_minutes: int, reason: str,
                        granted_by: Any) -> Accommodation:
    """Give a person extra time for an exam, before or during an attempt."""
    if extra_minutes < 1:
        raise ExamError(_("Extra time must be at least one minute."))
    if not reason.strip():
        raise ExamError(_("Give the reason for the extra time."))
    accommodation = Accommodation.objects.create(
        exam=exam, user=user, extra_minutes=extra_minutes, reason=reason, granted_by=granted_by
    )
    total = accommodation_minutes(exam_id=exam.pk, user_id=user.pk)
    for attempt in Attempt.objects.select_for_update(of=("self",)).select_related("sitting").filter(
        exam=exam, user=user, state=AttemptState.OPEN
    ):
        old = attempt.deadline
        attempt.deadline = attempt_deadline(exam=exam, sitting=attempt.sitting,
                                            started_at=attempt.started_at, extra=total)
        attempt.save(update_fields=["deadline"])
        attempt_log(attempt, AttemptEventKind.ACCOMMODATION, granted_by,
                    extra_minutes=extra_minutes, reason=reason, old_deadline=old.isoformat(),
                    deadline=attempt.deadline.isoformat())
    audit_record(actor=granted_by, action="exams.accommodation.granted", target=user,
                 reason=reason, data={"exam": exam.pk, "extra_minutes": extra_minutes})
    return accommodation
