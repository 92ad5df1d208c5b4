"""Attendance on the roster; three days (or an exception) complete the course."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.selectors import user_has_role
from core.models import AuditEntry
from lms.models import Enrolment
from lms.selectors import course_completed


@pytest.fixture
def course_admin(user_factory):  # type: ignore[no-untyped-def]
    return user_factory(roles=["course_admin"])


@pytest.fixture
def running(cohort_factory, enrolment_factory):  # type: ignore[no-untyped-def]
    """A cohort whose three days are over, with one confirmed trainee."""
    cohort = cohort_factory(starts_in_days=-3)
    return enrolment_factory(cohort=cohort, state=Enrolment.State.CONFIRMED)


def _mark(client, enrolment, day, present=True):  # type: ignore[no-untyped-def]
    return client.post(f"/training/staff/enrolments/{enrolment.reference}/attendance/",
                       {"day": day, "present": "1" if present else "0"}, follow=True)


def test_three_days_marked_complete_the_course_and_make_the_trainee_eligible(
    client, course_admin, running, django_capture_on_commit_callbacks
):
    client.force_login(course_admin)
    roster = client.get(f"/training/staff/cohorts/{running.cohort.code}/").content.decode()
    assert running.user.display_name in roster and "登记" in roster

    with django_capture_on_commit_callbacks(execute=True):
        _mark(client, running, 1)
        _mark(client, running, 2)
        _mark(client, running, 2, present=False)  # a correction
        _mark(client, running, 2)
        response = _mark(client, running, 3)

    running.refresh_from_db()
    assert running.state == Enrolment.State.COMPLETED
    assert course_completed(user=running.user, course_id=running.cohort.course_id)
    assert user_has_role(running.user, "candidate")
    assert "已完成" in response.content.decode()
    marks = AuditEntry.objects.for_object(running).filter(action="lms.attendance.marked")
    assert marks.count() == 5 and {e.actor for e in marks} == {course_admin}
    assert any(m.subject.startswith("课程已结业") for m in mail.outbox)


def test_two_days_do_not_complete(client, course_admin, running):
    client.force_login(course_admin)
    _mark(client, running, 1)
    _mark(client, running, 2)
    _mark(client, running, 3, present=False)
    running.refresh_from_db()
    assert running.state == Enrolment.State.CONFIRMED
    assert not course_completed(user=running.user, course_id=running.cohort.course_id)


def test_exception_needs_a_reason_and_then_completes(client, course_admin, running):
    client.force_login(course_admin)
    url = f"/training/staff/enrolments/{running.reference}/complete/"
    refused = client.post(url, {"reason": "  "}, follow=True)
    assert "请填写特批原因" in refused.content.decode()
    running.refresh_from_db()
    assert running.state == Enrolment.State.CONFIRMED

    client.post(url, {"reason": "第三天因病缺席，已完成补课"})
    running.refresh_from_db()
    assert running.state == Enrolment.State.COMPLETED
    assert running.completion_exception == "第三天因病缺席，已完成补课"
    entry = AuditEntry.objects.for_object(running).get(action="lms.enrolment.completed")
    assert (entry.actor, entry.reason) == (course_admin, "第三天因病缺席，已完成补课")


def test_a_future_day_cannot_be_marked(client, course_admin, cohort_factory, enrolment_factory):
    enrolment = enrolment_factory(cohort=cohort_factory(starts_in_days=1))
    client.force_login(course_admin)
    response = _mark(client, enrolment, 1)
    assert "不能提前登记" in response.content.decode()
    assert not enrolment.attendances.exists()


def test_unpaid_enrolments_are_not_on_the_roster_and_cannot_be_marked(
    client, course_admin, cohort_factory, enrolment_factory
):
    cohort = cohort_factory(starts_in_days=-3)
    pending = enrolment_factory(cohort=cohort, state=Enrolment.State.PENDING_PAYMENT)
    client.force_login(course_admin)
    roster = client.get(f"/training/staff/cohorts/{cohort.code}/").content.decode()
    assert pending.reference not in roster
    assert "只能为已确认的报名登记考勤" in _mark(client, pending, 1).content.decode()


def test_trainees_cannot_open_the_roster_or_mark(client, running):
    client.force_login(running.user)
    assert client.get(f"/training/staff/cohorts/{running.cohort.code}/").status_code == 403
    assert _mark(client, running, 1).status_code == 403
    assert not running.attendances.exists()
