"""The emails to trainees about their enrolment, in their own language."""

from __future__ import annotations

from typing import Any

from core.services import email_send_templated

from ..models import Enrolment
from .common import site_url


def _email_context(enrolment: Enrolment, **extra: Any) -> dict[str, Any]:
    cohort = enrolment.cohort
    return {
        "name": enrolment.user.display_name,
        "course": cohort.course.title,
        "cohort": cohort.title,
        "days": [day.isoformat() for day in cohort.days],
        "time": f"{cohort.starts_at_time:%H:%M}–{cohort.ends_at_time:%H:%M}",
        "venue": cohort.venue,
        "online_url": cohort.online_url,
        "price": f"{enrolment.price:.2f}",
        "reference": enrolment.reference,
        "enrolment_url": site_url("lms:enrolment_detail", reference=enrolment.reference),
        **extra,
    }


def email_enrolment(enrolment: Enrolment, template: str, **extra: Any) -> None:
    email_send_templated(
        to=[enrolment.user.email],
        template_prefix=f"lms/email/{template}",
        context=_email_context(enrolment, **extra),
        language=enrolment.user.language,
    )
