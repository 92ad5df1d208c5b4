"""Enrolling: seats, holds, the waitlist, bad input, the audit trail and emails."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEntry
from lms import services
from lms.models import Cohort, Enrolment


def test_enrolling_holds_a_seat_records_it_and_emails_in_chinese(
    client, cohort_factory, user_factory, django_capture_on_commit_callbacks
):
    trainee = user_factory(email="zhang@example.com")
    cohort = cohort_factory(capacity=2)
    client.force_login(trainee)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/training/cohorts/{cohort.code}/enrol/")

    enrolment = Enrolment.objects.get(user=trainee)
    assert response.status_code == 302
    assert response["Location"] == f"/training/enrolments/{enrolment.reference}/"
    assert enrolment.state == Enrolment.State.PENDING_PAYMENT
    assert enrolment.hold_expires_at > timezone.now()
    entry = AuditEntry.objects.for_object(enrolment).get()
    assert (entry.action, entry.actor) == ("lms.enrolment.pending_payment", trainee)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("报名已收到")
    assert enrolment.reference in mail.outbox[0].body
    page = client.get(response["Location"]).content.decode()
    assert "待付款" in page and "对公转账" in page


def test_a_trainee_cannot_hold_two_active_enrolments_in_one_cohort(
    client, cohort_factory, user_factory
):
    trainee = user_factory()
    cohort = cohort_factory()
    services.enrolment_create(user=trainee, cohort_id=cohort.pk)
    client.force_login(trainee)
    response = client.post(f"/training/cohorts/{cohort.code}/enrol/", follow=True)
    assert "您已报名该期班" in response.content.decode()
    assert Enrolment.objects.filter(user=trainee).count() == 1


def test_after_cancelling_the_trainee_may_enrol_again(cohort_factory, user_factory):
    trainee = user_factory()
    cohort = cohort_factory()
    first = services.enrolment_create(user=trainee, cohort_id=cohort.pk)
    services.enrolment_cancel(enrolment_id=first.pk, by=trainee)
    second = services.enrolment_create(user=trainee, cohort_id=cohort.pk)
    assert second.state == Enrolment.State.PENDING_PAYMENT
    first.refresh_from_db()
    assert first.state == Enrolment.State.CANCELLED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"starts_in_days": -1}, "报名已截止"),
        ({"status": Cohort.Status.CANCELLED}, "该期班已取消"),
        ({"starts_in_days": 10, "enrolment_deadline": timezone.now()
          - datetime.timedelta(hours=1)}, "报名已截止"),
    ],
    ids=["past", "cancelled", "deadline-passed"],
)
def test_closed_cohorts_refuse_enrolment_with_a_clear_message(
    client, cohort_factory, user_factory, fields, message
):
    cohort = cohort_factory(**fields)
    client.force_login(user_factory())
    response = client.post(f"/training/cohorts/{cohort.code}/enrol/", follow=True)
    assert message in response.content.decode()
    assert not Enrolment.objects.filter(cohort=cohort).exists()


def test_full_cohort_says_so_and_offers_the_waitlist(client, cohort_factory, user_factory):
    cohort = cohort_factory(capacity=1)
    services.enrolment_create(user=user_factory(), cohort_id=cohort.pk)
    late = user_factory()
    client.force_login(late)

    page = client.get(f"/training/cohorts/{cohort.code}/").content.decode()
    assert "加入候补名单" in page
    refused = client.post(f"/training/cohorts/{cohort.code}/enrol/", follow=True)
    assert "该期班已满" in refused.content.decode()
    assert not Enrolment.objects.filter(user=late).exists()

    client.post(f"/training/cohorts/{cohort.code}/enrol/", {"waitlist": "1"})
    assert Enrolment.objects.get(user=late).state == Enrolment.State.WAITLISTED


def test_unpaid_hold_expires_and_the_first_on_the_waitlist_is_offered_the_seat(
    cohort_factory, user_factory, django_capture_on_commit_callbacks
):
    cohort = cohort_factory(capacity=1)
    holder = user_factory()
    first = user_factory(email="first@example.com")
    second = user_factory(email="second@example.com")
    held = services.enrolment_create(user=holder, cohort_id=cohort.pk)
    queued_first = services.enrolment_create(user=first, cohort_id=cohort.pk, waitlist=True)
    queued_second = services.enrolment_create(user=second, cohort_id=cohort.pk, waitlist=True)
    Enrolment.objects.filter(pk=held.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        counts = services.holds_expire()

    assert counts == {"confirmed": 0, "released": 1}
    held.refresh_from_db()
    queued_first.refresh_from_db()
    queued_second.refresh_from_db()
    assert held.state == Enrolment.State.CANCELLED
    assert held.cancel_reason == Enrolment.CancelReason.EXPIRED
    assert queued_first.state == Enrolment.State.PENDING_PAYMENT
    assert queued_second.state == Enrolment.State.WAITLISTED
    assert [m.to for m in mail.outbox] == [["first@example.com"]]
    assert "有名额为您空出" in mail.outbox[0].subject
    assert AuditEntry.objects.for_object(held).filter(action="lms.enrolment.cancelled").exists()
    # Safe to run twice.
    assert services.holds_expire() == {"confirmed": 0, "released": 0}


def test_upcoming_list_shows_seats_left_and_a_calendar_link(client, cohort_factory,
                                                            enrolment_factory):
    cohort = cohort_factory(capacity=5, title="第九期 北京班")
    enrolment_factory(cohort=cohort)
    page = client.get("/training/").content.decode()
    assert "第九期 北京班" in page
    assert f'href="/training/cohorts/{cohort.code}/calendar.ics"' in page
    detail = client.get(f"/training/cohorts/{cohort.code}/").content.decode()
    assert "4 / 5" in detail


def test_calendar_file_has_the_three_days(client, cohort_factory):
    cohort = cohort_factory(title="第一期, 北京")
    response = client.get(f"/training/cohorts/{cohort.code}/calendar.ics")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert body.count("BEGIN:VEVENT") == 3
    assert "SUMMARY:" in body and "第一期\\, 北京" in body
    # 09:00 in Shanghai is 01:00 UTC.
    assert f"DTSTART:{cohort.day_1:%Y%m%d}T010000Z" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_draft_cohorts_are_not_public(client, cohort_factory):
    cohort = cohort_factory(status=Cohort.Status.DRAFT)
    assert client.get(f"/training/cohorts/{cohort.code}/").status_code == 404
    assert cohort.code not in client.get("/training/").content.decode()


def test_waitlisted_trainee_sees_their_place_in_line(client, cohort_factory, user_factory):
    cohort = cohort_factory(capacity=1)
    services.enrolment_create(user=user_factory(), cohort_id=cohort.pk)
    services.enrolment_create(user=user_factory(), cohort_id=cohort.pk, waitlist=True)
    second = user_factory()
    queued = services.enrolment_create(user=second, cohort_id=cohort.pk, waitlist=True)
    client.force_login(second)
    page = client.get(f"/training/enrolments/{queued.reference}/").content.decode()
    assert 'data-testid="waitlist-position">2<' in page
