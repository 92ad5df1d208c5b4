"""What other apps read from lms: upcoming cohorts with seats left, and course completion."""

from __future__ import annotations

import datetime

from django.utils import timezone

from lms.models import Cohort, Enrolment
from lms.selectors import cohorts_upcoming, course_completed


def test_upcoming_lists_published_future_cohorts_with_seats_left(
    cohort_factory, enrolment_factory
):
    soon = cohort_factory(starts_in_days=10, capacity=3)
    later = cohort_factory(starts_in_days=40)
    cohort_factory(starts_in_days=20, status=Cohort.Status.CANCELLED)
    cohort_factory(starts_in_days=20, status=Cohort.Status.DRAFT)
    cohort_factory(starts_in_days=-10)
    enrolment_factory(cohort=soon, state=Enrolment.State.CONFIRMED)
    enrolment_factory(cohort=soon, state=Enrolment.State.PENDING_PAYMENT)
    # An expired hold no longer takes a seat; a cancelled enrolment never does.
    enrolment_factory(
        cohort=soon,
        state=Enrolment.State.PENDING_PAYMENT,
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    enrolment_factory(cohort=soon, state=Enrolment.State.CANCELLED)

    listed = list(cohorts_upcoming())

    assert [c.pk for c in listed] == [soon.pk, later.pk]
    assert listed[0].seats_left == 1
    assert listed[1].seats_left == 20
    assert [c.pk for c in cohorts_upcoming(limit=1)] == [soon.pk]


def test_course_completed_only_for_a_completed_enrolment_in_that_course(
    cohort_factory, enrolment_factory, user_factory
):
    trainee = user_factory()
    cohort = cohort_factory(starts_in_days=-30)
    other = cohort_factory()
    enrolment_factory(cohort=cohort, user=trainee, state=Enrolment.State.CONFIRMED)
    assert not course_completed(user=trainee, course_id=cohort.course_id)

    Enrolment.objects.filter(user=trainee).update(state=Enrolment.State.COMPLETED)
    assert course_completed(user=trainee, course_id=cohort.course_id)
    assert not course_completed(user=trainee, course_id=other.course_id)
    assert not course_completed(user=user_factory(), course_id=cohort.course_id)
