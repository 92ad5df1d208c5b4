"""What the lms topics share: row locks, seat counts, the open-cohort check, cancelling an
enrolment's state, the site's absolute URLs."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record, task_queue_on_commit

from ..errors import CohortUnavailable
from ..models import Cohort, Enrolment
from ..selectors import seats_taken_q

# Lock only the row itself, not the rows select_related joins in (the course, the user).
SELF_ONLY = ("self",)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def current_time() -> datetime.datetime:
    return timezone.now()


def cohort_lock(cohort_id: int) -> Cohort:
    return Cohort.objects.select_for_update(of=SELF_ONLY).select_related("course").get(pk=cohort_id)


def enrolment_lock(enrolment_id: int) -> Enrolment:
    return Enrolment.objects.select_for_update().get(pk=enrolment_id)


def seats_taken(cohort: Cohort, *, exclude_id: int | None = None) -> int:
    qs = Enrolment.objects.filter(cohort=cohort).filter(seats_taken_q(prefix=""))
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.count()


def seats_free(cohort: Cohort, *, exclude_id: int | None = None) -> int:
    return max(cohort.capacity - seats_taken(cohort, exclude_id=exclude_id), 0)


def new_reference() -> str:
    while True:
        reference = "CC" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        if not Enrolment.objects.filter(reference=reference).exists():
            return reference


def site_url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs or None)


def cohort_check_open(cohort: Cohort) -> None:
    """A cohort takes enrolments and payments while published and before its deadline."""
    if cohort.status == Cohort.Status.CANCELLED:
        raise CohortUnavailable(
            _("This cohort has been cancelled; please choose another one."), code="cancelled"
        )
    if cohort.status != Cohort.Status.PUBLISHED or not cohort.course.is_published:
        raise CohortUnavailable(_("This cohort is not open for enrolment."), code="unpublished")
    if cohort.enrolment_deadline <= current_time() or cohort.day_1 <= timezone.localdate():
        raise CohortUnavailable(
            _("Enrolment for this cohort has closed; please choose a later cohort."),
            code="closed",
        )


def waitlist_offer_on_commit(cohort_id: int) -> None:
    from ..tasks import waitlist_offer

    task_queue_on_commit(waitlist_offer, cohort_id)


def enrolment_set_cancelled(
    enrolment: Enrolment, *, state: str, reason_code: str, actor: User | None, reason: str,
    data: dict[str, Any] | None = None,
) -> None:
    was = enrolment.state
    enrolment.state = state
    enrolment.cancel_reason = reason_code
    enrolment.cancelled_at = current_time()
    enrolment.hold_expires_at = None
    enrolment.save(update_fields=["state", "cancel_reason", "cancelled_at", "hold_expires_at"])
    audit_record(
        actor=actor, action=f"lms.enrolment.{state}", target=enrolment, reason=reason,
        data={"from": was, "why": reason_code, **(data or {})},
    )
