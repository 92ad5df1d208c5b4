"""The rules page before the clock starts (issue 10 point 11): the facts, the honour statement,
an explicit start; the API gives the same facts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from exams.models import Accommodation, Attempt, AttemptEvent
from exams.selectors import HONOUR_STATEMENT
from exams.services import attempt_start, attempt_submit

API = "/api/v1/exams"
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def exam(exam_factory, time_machine):
    time_machine.move_to(START, tick=False)
    return exam_factory(per_module={1: 3, 2: 2}, duration_minutes=45, max_attempts=3,
                        pass_mark_percent="70.00")


def _fact(body: str, testid: str) -> str:
    return body.split(f'data-testid="{testid}">')[1].split("</li>")[0]


def test_opening_start_shows_the_rules_and_starts_nothing(client, candidate, exam):
    client.force_login(candidate)
    response = client.get(reverse("exams:start", args=[exam.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "45" in _fact(body, "rule-time")
    assert "5" in _fact(body, "rule-questions")
    assert "70.00%" in _fact(body, "rule-pass-mark")
    assert "3" in _fact(body, "rule-attempts")
    assert _fact(body, "rule-deadline").strip()  # saved answers are submitted at the deadline
    assert 'data-testid="honour"' in body and "required" in body.split('data-testid="honour"')[0]
    assert not Attempt.objects.exists()


def test_starting_needs_the_statement_ticked_then_the_paper_opens(client, candidate, exam):
    client.force_login(candidate)
    url = reverse("exams:start", args=[exam.pk])
    refused = client.post(url)
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert not Attempt.objects.exists()
    started = client.post(url, {"honour": "on"})
    attempt = Attempt.objects.get(user=candidate)
    assert started["Location"] == reverse("exams:attempt", args=[attempt.pk])
    event = AttemptEvent.objects.get(attempt=attempt, kind="start")
    assert event.data["honour_accepted"] is True


def test_an_attempt_in_progress_resumes_directly(client, candidate, exam):
    attempt, _created = attempt_start(exam=exam, user=candidate)
    client.force_login(candidate)
    response = client.get(reverse("exams:start", args=[exam.pk]))
    assert response["Location"] == reverse("exams:attempt", args=[attempt.pk])
    assert client.post(reverse("exams:start", args=[exam.pk]))["Location"] == response["Location"]


def test_attempts_left_count_down_and_a_person_not_eligible_gets_no_start(client, candidate,
                                                                           user_factory, exam):
    attempt, _created = attempt_start(exam=exam, user=candidate)
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    client.force_login(candidate)
    body = client.get(reverse("exams:start", args=[exam.pk])).content.decode()
    assert "2" in _fact(body, "rule-attempts")
    client.force_login(user_factory())  # has not completed the course
    body = client.get(reverse("exams:start", args=[exam.pk])).content.decode()
    assert 'data-testid="not-eligible"' in body and 'data-testid="start-form"' not in body


def test_the_exam_list_links_to_the_rules_page_instead_of_starting(client, candidate, exam):
    client.force_login(candidate)
    body = client.get(reverse("exams:index")).content.decode()
    assert f'href="{reverse("exams:start", args=[exam.pk])}"' in body
    assert f'action="{reverse("exams:start", args=[exam.pk])}"' not in body


def test_the_api_gives_the_same_rules(client, candidate, user_factory, exam):
    Accommodation.objects.create(exam=exam, user=candidate, extra_minutes=10, reason="读屏软件")
    client.force_login(candidate)
    data = client.get(f"{API}/{exam.pk}").json()
    assert data == {
        **data,
        "exam_id": exam.pk, "duration_minutes": 55, "extra_minutes": 10, "questions": 5,
        "pass_mark_percent": "70.00", "max_attempts": 3, "attempts_used": 0, "attempts_left": 3,
        "eligible": True, "reason": "", "open_attempt_id": None,
        "honour_statement": str(HONOUR_STATEMENT),
    }
    assert data["at_deadline"] and data["sitting_ends_at"]
    assert not Attempt.objects.exists()
    # The start operation is as before; the info then names the attempt to resume.
    assert client.post(f"{API}/{exam.pk}/attempts").status_code == 201
    assert client.get(f"{API}/{exam.pk}").json()["open_attempt_id"] == Attempt.objects.get().pk
    client.force_login(user_factory())
    other = client.get(f"{API}/{exam.pk}").json()
    assert other["eligible"] is False and other["reason"]
