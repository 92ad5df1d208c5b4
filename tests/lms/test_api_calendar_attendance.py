"""Through the API: a trainee gets the calendar of their cohort for one of their enrolments; a
course admin marks attendance with the roster page's permission, service and audit."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import AuditEntry
from lms.models import Enrolment
from lms.selectors import course_completed
from tests.app_token import app_headers, as_json


@pytest.fixture
def app() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def course_admin(user_factory):  # type: ignore[no-untyped-def]
    return user_factory(roles=["course_admin"])


@pytest.fixture
def running(cohort_factory, enrolment_factory):  # type: ignore[no-untyped-def]
    """A cohort whose three days are over, with one confirmed trainee."""
    return enrolment_factory(cohort=cohort_factory(starts_in_days=-3),
                             state=Enrolment.State.CONFIRMED)


def test_a_trainee_gets_the_calendar_of_their_cohort(app, enrolment_factory, user_factory):
    enrolment = enrolment_factory()
    url = f"/api/v1/lms/enrolments/{enrolment.reference}/calendar.ics"

    response = app.get(url, **app_headers(app, enrolment.user))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 3
    assert enrolment.cohort.title in body

    assert app.get(url).status_code == 401
    other = app_headers(app, user_factory(roles=["trainee"]))
    assert app.get(url, **other).status_code == 404


def _mark(app, headers, enrolment, day, present=True):  # type: ignore[no-untyped-def]
    return app.post(f"/api/v1/lms/staff/enrolments/{enrolment.reference}/attendance",
                    **headers, **as_json({"day": day, "present": present}))


def test_a_course_admin_marks_three_days_and_completes_the_course(
        app, course_admin, running, totp_code, django_capture_on_commit_callbacks):
    headers = app_headers(app, course_admin, totp_code=totp_code)
    with django_capture_on_commit_callbacks(execute=True):
        _mark(app, headers, running, 1)
        _mark(app, headers, running, 2, present=False)
        second = _mark(app, headers, running, 2)
        assert second.status_code == 200, second.content
        assert [d["present"] for d in second.json()["days"]] == [True, True, None]
        assert second.json()["state"] == "confirmed"
        third = _mark(app, headers, running, 3)
    assert third.json()["state"] == "completed"
    assert course_completed(user=running.user, course_id=running.cohort.course_id)
    marks = AuditEntry.objects.for_object(running).filter(action="lms.attendance.marked")
    assert marks.count() == 4 and {e.actor for e in marks} == {course_admin}


def test_attendance_is_refused_where_the_page_refuses_it(app, course_admin, running, totp_code,
                                                         cohort_factory, enrolment_factory):
    headers = app_headers(app, course_admin, totp_code=totp_code)
    assert _mark(app, headers, running, 4).status_code == 400
    future = enrolment_factory(cohort=cohort_factory(starts_in_days=5))
    assert _mark(app, headers, future, 1).status_code == 400
    pending = enrolment_factory(cohort=cohort_factory(starts_in_days=-3),
                                state=Enrolment.State.PENDING_PAYMENT)
    assert _mark(app, headers, pending, 1).status_code == 400
    response = app.post("/api/v1/lms/staff/enrolments/NOPE0000/attendance", **headers,
                        **as_json({"day": 1, "present": True}))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="lms.attendance.marked").exists()


def test_trainees_other_staff_and_signed_out_callers_cannot_mark(app, running, user_factory,
                                                                 totp_code):
    body = as_json({"day": 1, "present": True})
    url = f"/api/v1/lms/staff/enrolments/{running.reference}/attendance"
    assert app.post(url, **body).status_code == 401
    assert app.post(url, **app_headers(app, running.user), **body).status_code == 403
    for role in ("exam_admin", "certification_admin"):
        staff = app_headers(app, user_factory(roles=[role]), totp_code=totp_code)
        assert app.post(url, **staff, **body).status_code == 403, role
    assert not running.attendances.exists()
