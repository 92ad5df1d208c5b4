"""Who may start an exam, and if not, why: a read (re-exported by `exams.services`).

The one write it makes is the deadline rule: an abandoned attempt past its deadline is closed
first (`services.attempt_close_if_expired`), as every read of an attempt does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import Attempt, AttemptState, Exam, Sitting


def _course_completed(*, user: User, exam: Exam) -> bool:
    from lms.selectors import course_completed

    return course_completed(user=user, course_id=exam.course_id)  # type: ignore[attr-defined]



@dataclass
class Eligibility:
    ok: bool
    reason: str = ""
    sitting: Sitting | None = None
    attempts_used: int = 0
    open_attempt: Attempt | None = None
    already_passed: bool = False


def eligibility(*, exam: Exam, user: User, now: datetime | None = None) -> Eligibility:
    """Whether `user` may start `exam` now, and if not, why (in words they understand)."""
    now = now or timezone.now()
    attempts = list(Attempt.objects.filter(exam=exam, user=user).order_by("-number"))
    # Imported here: services re-exports this module, so it cannot be imported at the top.
    from .services.submit import attempt_close_if_expired

    for attempt in attempts:
        # An abandoned attempt past its deadline is over, not one to resume.
        attempt_close_if_expired(attempt=attempt, now=now)
    open_attempt = next((a for a in attempts if a.state == AttemptState.OPEN), None)
    if open_attempt is not None:
        return Eligibility(True, sitting=open_attempt.sitting, attempts_used=len(attempts),
                           open_attempt=open_attempt)
    if not exam.is_published:
        return Eligibility(False, _("This exam is not open."))
    if not _course_completed(user=user, exam=exam):
        return Eligibility(False, _("You can sit this exam once you have completed the course."))
    if any(a.passed for a in attempts):
        return Eligibility(False, _("You have already passed this exam."),
                           attempts_used=len(attempts), already_passed=True)
    if len(attempts) >= exam.max_attempts:
        return Eligibility(False, _("You have used all %(n)d attempts allowed.")
                           % {"n": exam.max_attempts}, attempts_used=len(attempts))
    if attempts and attempts[0].submitted_at:
        wait_until = attempts[0].submitted_at + timedelta(hours=exam.retake_wait_hours)
        if now < wait_until:
            return Eligibility(
                False,
                _("You may retake this exam from %(when)s.")
                % {"when": timezone.localtime(wait_until).strftime("%Y-%m-%d %H:%M")},
                attempts_used=len(attempts),
            )
    sitting = exam.sittings.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at").first()
    if sitting is None:
        return Eligibility(False, _("No sitting of this exam is open now."),
                           attempts_used=len(attempts))
    return Eligibility(True, sitting=sitting, attempts_used=len(attempts))
