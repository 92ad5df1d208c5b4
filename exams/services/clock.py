"""The attempt clock: the grace period, the deadline, a person's extra time."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Sum

from ..models import Accommodation, Exam, Sitting


def grace_period() -> timedelta:
    return timedelta(seconds=getattr(settings, "EXAMS_GRACE_SECONDS", 15))



def accommodation_minutes(*, exam_id: int, user_id: int) -> int:
    total = Accommodation.objects.filter(exam_id=exam_id, user_id=user_id).aggregate(
        total=Sum("extra_minutes")
    )["total"]
    return int(total or 0)


def attempt_deadline(*, exam: Exam, sitting: Sitting, started_at: datetime, extra: int
                     ) -> datetime:
    """When an attempt started at `started_at` in `sitting` ends."""
    deadline = started_at + timedelta(minutes=exam.duration_minutes + extra)
    if exam.cap_deadline_at_window_end:
        # Extra time granted to a person extends the window's end for them too.
        deadline = min(deadline, sitting.ends_at + timedelta(minutes=extra))
    return deadline
