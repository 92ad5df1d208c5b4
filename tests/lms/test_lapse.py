"""Seat holds and waitlist offers lapse on the first access after they run out, without beat
(as on `make run`): the seat goes to the next in line, the person may enrol again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from lms import services
from lms.models import Enrolment

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def full_cohort(cohort_factory, user_factory, time_machine, settings):
    """At NOW, a one-seat cohort: `holder` holds the seat (30 minutes), `first` and `second`
    wait. Emails sent so far are cleared."""
    settings.LMS_SEAT_HOLD_MINUTES = 30
    settings.LMS_WAITLIST_OFFER_HOURS = 48
    time_machine.move_to(NOW, tick=False)
    cohort = cohort_factory(capacity=1)
    people = {name: user_factory(email=f"{name}@example.com")
              for name in ("holder", "first", "second")}
    held = services.enrolment_create(user=people["holder"], cohort_id=cohort.pk)
    for name in ("first", "second"):
        services.enrolment_create(user=people[name], cohort_id=cohort.pk, waitlist=True)
    mail.outbox.clear()
    return cohort, people, held


def _state(cohort, user) -> str:
    return Enrolment.objects.filter(cohort=cohort, user=user).latest("created_at").state


def test_an_expired_hold_lapses_when_its_page_is_opened_and_the_waitlist_is_offered(
        client, full_cohort, time_machine, django_capture_on_commit_callbacks):
    cohort, people, held = full_cohort
    time_machine.move_to(NOW + dt.timedelta(minutes=31), tick=False)
    client.force_login(people["holder"])
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/training/enrolments/{held.reference}/")
    assert page.status_code == 200
    held.refresh_from_db()
    assert (held.state, held.cancel_reason) == (Enrolment.State.CANCELLED,
                                                Enrolment.CancelReason.EXPIRED)
    assert _state(cohort, people["first"]) == Enrolment.State.PENDING_PAYMENT
    assert _state(cohort, people["second"]) == Enrolment.State.WAITLISTED
    assert [m.to for m in mail.outbox] == [["first@example.com"]]


def test_within_its_time_a_hold_stands(client, full_cohort, time_machine):
    cohort, people, _held = full_cohort
    time_machine.move_to(NOW + dt.timedelta(minutes=29), tick=False)
    client.force_login(people["holder"])
    assert client.get("/training/my/").status_code == 200
    assert _state(cohort, people["holder"]) == Enrolment.State.PENDING_PAYMENT
    assert _state(cohort, people["first"]) == Enrolment.State.WAITLISTED


def test_an_unanswered_offer_lapses_on_any_visit_and_passes_to_the_next_in_line(
        client, full_cohort, time_machine, django_capture_on_commit_callbacks):
    cohort, people, _held = full_cohort
    time_machine.move_to(NOW + dt.timedelta(minutes=31), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/training/")  # anyone's visit: the hold lapses, `first` is offered the seat
    assert _state(cohort, people["first"]) == Enrolment.State.PENDING_PAYMENT
    time_machine.move_to(NOW + dt.timedelta(minutes=31, hours=48, seconds=1), tick=False)
    client.force_login(people["second"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get("/me/").status_code == 200
    assert _state(cohort, people["first"]) == Enrolment.State.CANCELLED
    assert _state(cohort, people["second"]) == Enrolment.State.PENDING_PAYMENT
    assert [m.to for m in mail.outbox] == [["first@example.com"], ["second@example.com"]]


def test_a_person_whose_hold_lapsed_may_enrol_again(cohort_factory, user_factory,
                                                    time_machine, settings):
    settings.LMS_SEAT_HOLD_MINUTES = 30
    time_machine.move_to(NOW, tick=False)
    cohort = cohort_factory(capacity=1)
    person = user_factory()
    first = services.enrolment_create(user=person, cohort_id=cohort.pk)
    time_machine.move_to(NOW + dt.timedelta(minutes=31), tick=False)
    again = services.enrolment_create(user=person, cohort_id=cohort.pk)
    first.refresh_from_db()
    assert first.state == Enrolment.State.CANCELLED
    assert again.state == Enrolment.State.PENDING_PAYMENT
    assert again.hold_expires_at == NOW + dt.timedelta(minutes=61)


def test_a_lapsed_hold_cannot_be_paid_for_through_the_api(
        client, full_cohort, time_machine, django_capture_on_commit_callbacks):
    cohort, people, held = full_cohort
    time_machine.move_to(NOW + dt.timedelta(minutes=31), tick=False)
    client.force_login(people["holder"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/lms/enrolments/{held.reference}/checkout",
                               {"provider": "bank_transfer"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "not_pending"
    assert _state(cohort, people["holder"]) == Enrolment.State.CANCELLED
    assert _state(cohort, people["first"]) == Enrolment.State.PENDING_PAYMENT
