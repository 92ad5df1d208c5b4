"""Reads used by lms views, the API and other apps (cms's home page, exams' eligibility)."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import Cohort, Enrolment


def seats_taken_q(prefix: str = "enrolments__") -> Q:
    """Enrolments that occupy a seat: confirmed or completed, or pending with a live hold."""
    now = timezone.now()
    return Q(**{f"{prefix}state__in": Enrolment.SEATED_STATES}) | Q(
        **{
            f"{prefix}state": Enrolment.State.PENDING_PAYMENT,
            f"{prefix}hold_expires_at__gt": now,
        }
    )


def cohorts_with_seats(queryset: QuerySet[Cohort] | None = None) -> QuerySet[Cohort]:
    """Annotate `seats_sold`, `seats_held` and `seats_left` (never below zero)."""
    now = timezone.now()
    qs = queryset if queryset is not None else Cohort.objects.all()
    return qs.annotate(
        seats_sold=Count(
            "enrolments", filter=Q(enrolments__state__in=Enrolment.SEATED_STATES), distinct=True
        ),
        seats_held=Count(
            "enrolments",
            filter=Q(
                enrolments__state=Enrolment.State.PENDING_PAYMENT,
                enrolments__hold_expires_at__gt=now,
            ),
            distinct=True,
        ),
        waitlist_count=Count(
            "enrolments",
            filter=Q(enrolments__state=Enrolment.State.WAITLISTED),
            distinct=True,
        ),
    ).annotate(
        seats_left=Greatest(F("capacity") - F("seats_sold") - F("seats_held"), Value(0))
    )


def cohorts_upcoming(*, limit: int | None = None) -> QuerySet[Cohort]:
    """Published, not cancelled cohorts of published courses whose first day is still ahead,
    soonest first, each with `seats_left` (and `seats_sold`, `seats_held`) annotated."""
    today = timezone.localdate()
    qs = cohorts_with_seats(
        Cohort.objects.filter(
            status=Cohort.Status.PUBLISHED, course__is_published=True, day_1__gt=today
        ).select_related("course")
    ).order_by("day_1", "code")
    if limit is not None:
        qs = qs[:limit]
    return qs


def cohort_get(*, cohort_id: int) -> Cohort:
    return cohorts_with_seats(Cohort.objects.select_related("course")).get(pk=cohort_id)


def course_completed(*, user, course_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Has this person completed an enrolment in some cohort of this course? (Exam eligibility.)"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return Enrolment.objects.filter(
        user=user, cohort__course_id=course_id, state=Enrolment.State.COMPLETED
    ).exists()


def enrolments_for_user(*, user) -> QuerySet[Enrolment]:  # type: ignore[no-untyped-def]
    return (
        Enrolment.objects.filter(user=user)
        .select_related("cohort", "cohort__course")
        .prefetch_related("payments", "attendances")
        .order_by("-created_at")
    )


def enrolment_active_for(*, user, cohort_id: int) -> Enrolment | None:  # type: ignore[no-untyped-def]
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(
            user=user, cohort_id=cohort_id, state__in=Enrolment.ACTIVE_STATES
        )
        .select_related("cohort", "cohort__course")
        .first()
    )


def user_is_enrolled_in_course(*, user, course_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Course material is for trainees with a confirmed or completed enrolment."""
    if not user.is_authenticated:
        return False
    return Enrolment.objects.filter(
        user=user, cohort__course_id=course_id, state__in=Enrolment.SEATED_STATES
    ).exists()
