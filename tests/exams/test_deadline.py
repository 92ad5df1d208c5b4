"""The deadline holds without beat: the first access after deadline + grace closes an abandoned
attempt as submitted at its deadline, with what was saved (as `make run`, which has no beat)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from certification.models import Credential
from exams.errors import AttemptClosed, NotEligible, TooLate
from exams.models import Attempt, AttemptEvent, AttemptQuestion
from exams.services import attempt_answer_save, attempt_start, attempt_submit

from .helpers import answer_all

API = "/api/v1/exams"
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def abandoned(exam_factory, candidate, time_machine, settings):
    """A 60-minute attempt started at START with both answers saved right, then left: the clock
    is moved to two hours after its deadline. Returns the attempt (still open in the table)."""
    settings.EXAMS_GRACE_SECONDS = 15
    time_machine.move_to(START, tick=False)
    exam = exam_factory(per_module={1: 2}, duration_minutes=60, max_attempts=2)
    attempt, _created = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=2)
    time_machine.move_to(attempt.deadline + dt.timedelta(hours=2), tick=False)
    return attempt


def _closed_at_the_deadline(attempt: Attempt) -> Attempt:
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.submit_reason == "deadline"
    assert attempt.submitted_at == START + dt.timedelta(minutes=60)
    assert attempt.passed is True and str(attempt.score_percent) == "100.00"
    assert AttemptEvent.objects.filter(attempt=attempt, kind="auto_submit").count() == 1
    return attempt


def test_the_paper_page_closes_it_and_a_pass_becomes_a_credential(
        client, candidate, abandoned, django_capture_on_commit_callbacks):
    client.force_login(candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"/exams/attempts/{abandoned.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/exams/attempts/{abandoned.pk}/result/"
    _closed_at_the_deadline(abandoned)
    assert Credential.objects.get(holder=candidate).exam_score == 100
    # Opening it again changes nothing (idempotent).
    assert client.get(f"/exams/attempts/{abandoned.pk}/result/").status_code == 200
    assert AttemptEvent.objects.filter(attempt=abandoned, kind="auto_submit").count() == 1


def test_the_api_paper_answers_submitted_and_the_result_keeps_the_saved_answers(
        client, candidate, abandoned):
    client.force_login(candidate)
    response = client.get(f"{API}/attempts/{abandoned.pk}")
    assert response.status_code == 409
    result = client.get(f"{API}/attempts/{abandoned.pk}/result").json()
    assert result["passed"] is True and result["score_percent"] == "100.00"
    assert dt.datetime.fromisoformat(result["submitted_at"]) == START + dt.timedelta(minutes=60)
    _closed_at_the_deadline(abandoned)


def test_a_submit_long_after_the_deadline_records_the_deadline(client, candidate, abandoned):
    client.force_login(candidate)
    result = client.post(f"{API}/attempts/{abandoned.pk}/submit").json()
    assert dt.datetime.fromisoformat(result["submitted_at"]) == START + dt.timedelta(minutes=60)
    _closed_at_the_deadline(abandoned)


def test_the_submit_button_long_after_the_deadline_records_the_deadline(client, candidate,
                                                                       abandoned):
    client.force_login(candidate)
    response = client.post(f"/exams/attempts/{abandoned.pk}/submit/")
    assert response["Location"] == f"/exams/attempts/{abandoned.pk}/result/"
    _closed_at_the_deadline(abandoned)


def test_the_service_closes_a_late_candidate_submit_at_the_deadline(candidate, abandoned):
    attempt_submit(attempt_id=abandoned.pk, user=candidate)
    _closed_at_the_deadline(abandoned)


def test_a_late_save_is_refused_and_closes_the_attempt_with_what_was_saved(
        client, candidate, abandoned):
    saved = {i.position: i.selected for i in abandoned.items.all()}
    client.force_login(candidate)
    late = client.put(f"{API}/attempts/{abandoned.pk}/answers/1", content_type="application/json",
                      data=json.dumps({"selected": ["B"], "seq": 99}))
    assert late.status_code == 409
    _closed_at_the_deadline(abandoned)
    assert {i.position: i.selected for i in abandoned.items.all()} == saved
    with pytest.raises(AttemptClosed):
        attempt_answer_save(attempt_id=abandoned.pk, user=candidate, position=1,
                            selected=["B"], flagged=False, seq=100)


def test_the_service_refuses_a_late_save_as_too_late(candidate, abandoned):
    with pytest.raises(TooLate):
        attempt_answer_save(attempt_id=abandoned.pk, user=candidate, position=2,
                            selected=["B"], flagged=False, seq=50)
    _closed_at_the_deadline(abandoned)
    assert AttemptQuestion.objects.get(attempt=abandoned, position=2).seq != 50


def test_the_exam_list_shows_it_closed_and_a_new_start_is_a_new_attempt(
        client, candidate, abandoned):
    client.force_login(candidate)
    assert client.get("/exams/").status_code == 200
    _closed_at_the_deadline(abandoned)
    # The first attempt passed, so there is nothing left to start (not a resume of it).
    assert abandoned.exam.max_attempts == 2
    with pytest.raises(NotEligible):
        attempt_start(exam=abandoned.exam, user=candidate)


def test_the_dashboard_closes_it_too(client, candidate, abandoned):
    client.force_login(candidate)
    assert client.get("/me/").status_code == 200
    _closed_at_the_deadline(abandoned)


def test_within_the_grace_period_the_attempt_stays_open(client, candidate, abandoned,
                                                        time_machine):
    time_machine.move_to(abandoned.deadline + dt.timedelta(seconds=10), tick=False)
    client.force_login(candidate)
    assert client.get(f"{API}/attempts/{abandoned.pk}").json()["seconds_remaining"] == 0
    abandoned.refresh_from_db()
    assert abandoned.state == "open"


def test_the_statistics_count_an_abandoned_attempt(client, user_factory, abandoned):
    client.force_login(user_factory(roles=["exam_admin"]))
    assert client.get(f"/exams/manage/{abandoned.exam_id}/statistics/").status_code == 200
    _closed_at_the_deadline(abandoned)
