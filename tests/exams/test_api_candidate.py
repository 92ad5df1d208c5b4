"""Through the API with the app token, a candidate lists the exams open to them with whether
they may sit each and why not, their attempts and results, and asks for a score review."""

from __future__ import annotations

import pytest
from django.test import Client

from exams.models import Appeal, AttemptEvent
from exams.services import attempt_start, attempt_submit
from tests.app_token import app_headers, as_json

from .helpers import answer_all

EXAMS = "/api/v1/exams/"
ATTEMPTS = "/api/v1/exams/attempts"


@pytest.fixture
def app() -> Client:
    return Client(enforce_csrf_checks=True)


def test_the_exams_list_says_who_may_sit_and_why_not(app, candidate, user_factory,
                                                     exam_factory):
    exam = exam_factory(per_module={1: 2}, max_attempts=2)
    closed = exam_factory(per_module={1: 2}, open_window=False)

    rows = {row["exam_id"]: row for row in app.get(EXAMS, **app_headers(app, candidate)).json()}
    assert rows[exam.pk]["eligible"] is True and rows[exam.pk]["reason"] == ""
    assert rows[exam.pk]["max_attempts"] == 2 and rows[exam.pk]["attempts_used"] == 0
    assert len(rows[exam.pk]["sittings"]) == 1
    assert rows[closed.pk]["eligible"] is False
    assert rows[closed.pk]["reason"] == "该考试目前没有开放的考试场次。"

    trainee = user_factory(roles=["trainee"])  # has not completed the course
    rows = {row["exam_id"]: row for row in app.get(EXAMS, **app_headers(app, trainee)).json()}
    assert rows[exam.pk]["eligible"] is False
    assert rows[exam.pk]["reason"] == "完成课程后即可参加该考试。"


def test_an_open_attempt_is_offered_to_resume(app, candidate, exam_factory):
    exam = exam_factory(per_module={1: 2})
    attempt, _created = attempt_start(exam=exam, user=candidate)

    row = next(r for r in app.get(EXAMS, **app_headers(app, candidate)).json()
               if r["exam_id"] == exam.pk)
    assert row["eligible"] is True and row["open_attempt_id"] == attempt.pk
    assert row["attempts"][0]["state"] == "open" and row["attempts"][0]["score_percent"] is None


def test_my_attempts_and_results_show_the_score_not_the_key(app, candidate, user_factory,
                                                            exam_factory):
    exam = exam_factory(per_module={1: 2, 2: 2})
    attempt, _created = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=1)
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    other = user_factory(roles=["candidate"])
    headers = app_headers(app, candidate)

    mine = app.get(ATTEMPTS, **headers).json()
    assert [(a["attempt_id"], a["passed"], a["score_percent"]) for a in mine] == [
        (attempt.pk, False, "25.00")]
    assert mine[0]["exam_title"] == exam.title and mine[0]["appeals"] == []

    result = app.get(f"{ATTEMPTS}/{attempt.pk}/result", **headers)
    body = result.json()
    assert (body["passed"], body["score_percent"]) == (False, "25.00")
    assert [m["module"] for m in body["modules"]] == [1, 2]
    text = result.content.decode()
    assert "correct" not in text and "explanation" not in text and "秘密解析" not in text

    assert app.get(ATTEMPTS, **app_headers(app, other)).json() == []
    assert app.get(f"{ATTEMPTS}/{attempt.pk}/result",
                   **app_headers(app, other)).status_code == 404


def test_a_candidate_asks_for_a_score_review_once(app, candidate, exam_factory):
    exam = exam_factory(per_module={1: 2})
    attempt, _created = attempt_start(exam=exam, user=candidate)
    headers = app_headers(app, candidate)
    url = f"{ATTEMPTS}/{attempt.pk}/appeal"

    early = app.post(url, **headers, **as_json({"reason": "第2题有两个正确答案"}))
    assert early.status_code == 400 and not Appeal.objects.exists()

    attempt_submit(attempt_id=attempt.pk, user=candidate)
    asked = app.post(url, **headers, **as_json({"reason": "第2题有两个正确答案"}))
    assert asked.status_code == 201, asked.content
    assert asked.json()["state"] == "open" and asked.json()["reason"] == "第2题有两个正确答案"
    assert AttemptEvent.objects.filter(attempt=attempt, kind="appeal").count() == 1

    again = app.post(url, **headers, **as_json({"reason": "再看一次"}))
    assert again.status_code == 400
    assert again.json()["detail"] == "本次作答的复核正在进行中。"
    blank = app.post(url, **headers, **as_json({"reason": "   "}))
    assert blank.status_code == 400 and Appeal.objects.count() == 1

    mine = app.get(ATTEMPTS, **headers).json()
    assert [a["reason"] for a in mine[0]["appeals"]] == ["第2题有两个正确答案"]


def test_an_appeal_on_another_persons_attempt_or_signed_out_is_refused(app, candidate,
                                                                       user_factory,
                                                                       exam_factory):
    exam = exam_factory(per_module={1: 2})
    attempt, _created = attempt_start(exam=exam, user=candidate)
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    url = f"{ATTEMPTS}/{attempt.pk}/appeal"
    body = as_json({"reason": "请复核"})

    assert app.post(url, **body).status_code == 401
    assert app.get(EXAMS).status_code == 401 and app.get(ATTEMPTS).status_code == 401
    other = app_headers(app, user_factory(roles=["candidate"]))
    assert app.post(url, **other, **body).status_code == 404
    assert not Appeal.objects.exists()
