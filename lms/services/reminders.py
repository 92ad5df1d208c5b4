"""The reminder email before day one, once per enrolment."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Cohort, Enrolment
from .common import SELF_ONLY, current_time
from .notifications import email_enrolment


def reminders_send() -> int:
    """Email confirmed trainees a reminder before day one; each enrolment once."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.LMS_REMINDER_DAYS_BEFORE)
    sent = 0
    ids = Enrolment.objects.filter(
        state=Enrolment.State.CONFIRMED, reminder_sent_at__isnull=True,
        cohort__day_1__gt=today, cohort__day_1__lte=horizon,
        cohort__status=Cohort.Status.PUBLISHED,
    ).values_list("pk", flat=True)
    for enrolment_id in list(ids):
        with transaction.atomic():
            enrolment = Enrolment.objects.select_for_update(of=SELF_ONLY).select_related(
                "cohort__course", "user"
            ).get(pk=enrolment_id)
            if enrolment.reminder_sent_at is not None:
                continue
            enrolment.reminder_sent_at = current_time()
            enrolment.save(update_fields=["reminder_sent_at"])
            email_enrolment(enrolment, "reminder")
            sent += 1
    return sent
