"""The review policy (issue 10 point 10): what a candidate sees of a submitted attempt right
after it and after the sitting closes, the same on the result page, the result API and the exam
list; the key never reaches a candidate who failed and may retake."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from exams.models import AttemptQuestion
from exams.services import attempt_start, attempt_submit

from .helpers import answer_all

API = "/api/v1/exams"
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
ELEMENTS = ("score", "modules", "marks", "key")


def _policy(**shown: bool) -> dict[str, bool]:
    """Exam fields for a policy: `after_attempt=("score",)`-style keyword lists."""
    fields = {}
    for when in ("after_attempt", "after_close"):
        for element in ELEMENTS:
            fields[f"review_{element}_{when}"] = element in shown.get(when, ())
    return fields


@pytest.fixture
def sat(exam_factory, candidate, time_machine):
    """`sat(right=, **exam fields)`: an attempt of a 3-question exam started and submitted at
    START, `right` answers right (the sitting runs from START-1h to START+1 day)."""

    def make(*, right: int = 1, **fields):
        time_machine.move_to(START, tick=False)
        fields.setdefault("max_attempts", 2)
        exam = exam_factory(per_module={1: 2, 2: 1}, **fields)
        attempt, _created = attempt_start(exam=exam, user=candidate)
        answer_all(attempt, right=right)
        return attempt_submit(attempt_id=attempt.pk, user=candidate)

    return make


def _after_close(time_machine) -> None:
    time_machine.move_to(START + dt.timedelta(days=1, minutes=1), tick=False)


def _seen(client, attempt) -> tuple[str, dict]:
    client.force_login(attempt.user)
    page = client.get(reverse("exams:result", args=[attempt.pk]))
    assert page.status_code == 200
    api = client.get(f"{API}/attempts/{attempt.pk}/result")
    assert api.status_code == 200
    return page.content.decode(), api.json()


def _explanations(attempt) -> list[str]:
    return [i.version.explanation for i in attempt.items.select_related("version")]


def _key_absent(body: str, data: dict, attempt) -> None:
    for explanation in _explanations(attempt):
        assert explanation not in body
        assert explanation not in str(data)
    assert "is-key" not in body and "✓" not in body
    for question in data["questions"] or []:
        assert question["explanation"] is None
        assert all(o["correct"] is None for o in question["options"])


def _shown(body: str, data: dict, attempt) -> dict[str, bool]:
    """Which policy elements the page and the API both show (each must agree)."""
    questions = data["questions"] or []
    shown = {
        "score": (data["score_percent"] is not None, 'data-testid="score"' in body),
        "modules": (data["modules"] is not None, 'data-testid="module-breakdown"' in body),
        "marks": (bool(questions) and all(q["is_correct"] is not None for q in questions),
                  'badge-ok">' in body.split('id="review"')[-1] if 'id="review"' in body
                  else False),
        "key": (data["review"]["key"] and all(q["explanation"] for q in questions),
                all(e in body for e in _explanations(attempt))),
    }
    for element, (api, page) in shown.items():
        assert api == page, (element, api, page)
    return {element: api for element, (api, _page) in shown.items()}


def test_default_a_fail_with_attempts_left_shows_score_and_modules_and_when_to_retake(
        client, sat):
    attempt = sat(right=1, retake_wait_hours=2)
    body, data = _seen(client, attempt)
    assert 'data-testid="score"' in body and "33.33%" in body
    assert 'data-testid="module-breakdown"' in body
    assert 'id="review"' not in body
    _key_absent(body, data, attempt)
    assert data["score_percent"] == "33.33" and len(data["modules"]) == 2
    assert data["questions"] is None
    assert data["review"] == {
        "score": True, "modules": True, "marks": False, "key": False, "sitting_closed": False,
        "sitting_closes_at": data["review"]["sitting_closes_at"],
        "key_withheld_for_retake": True,  # the key comes after the close, but not to a retaker
    }
    # The fail says how many attempts remain and from when a retake is allowed.
    retake_at = START + dt.timedelta(hours=2)
    assert data["attempts_left"] == 1
    assert dt.datetime.fromisoformat(data["retake_from"]) == retake_at
    retake = body.split('data-testid="retake"')[1].split("</p>")[0]
    assert "1" in retake and timezone.localtime(retake_at).strftime("%Y-%m-%d %H:%M") in retake
    # ...and that the right answers stay hidden while a retake is possible.
    assert 'data-testid="review-later"' in body


def test_default_after_the_sitting_closes_the_last_attempt_shows_right_wrong_and_the_key(
        client, sat, time_machine):
    attempt = sat(right=1, max_attempts=1)
    body, data = _seen(client, attempt)
    _key_absent(body, data, attempt)  # before the close: no key, even with no attempt left
    assert data["attempts_left"] == 0 and data["retake_from"] is None
    assert 'data-testid="review-later"' in body  # "shown after the sitting closes (…)"

    _after_close(time_machine)
    body, data = _seen(client, attempt)
    assert 'id="review"' in body and 'data-testid="review-later"' not in body
    for explanation in _explanations(attempt):
        assert explanation in body and explanation in str(data)
    assert data["review"]["sitting_closed"] is True and data["review"]["key"] is True
    assert [q["is_correct"] for q in data["questions"]] == [True, False, False]
    assert all(any(o["correct"] for o in q["options"]) for q in data["questions"])


def test_a_failed_candidate_with_attempts_left_never_sees_the_key(client, sat, time_machine):
    attempt = sat(right=1, max_attempts=2, **_policy(after_attempt=ELEMENTS,
                                                     after_close=ELEMENTS))
    for moment in ("open", "closed"):
        if moment == "closed":
            _after_close(time_machine)
        body, data = _seen(client, attempt)
        _key_absent(body, data, attempt)
        assert data["review"]["key_withheld_for_retake"] is True
        # Right or wrong per question is still shown, as the policy says.
        assert [q["is_correct"] for q in data["questions"]] == [True, False, False]
        assert 'data-testid="review-later"' in body


def test_a_pass_sees_what_the_policy_allows_right_after(client, sat):
    attempt = sat(right=3, **_policy(after_attempt=ELEMENTS))
    body, data = _seen(client, attempt)
    assert attempt.passed
    for explanation in _explanations(attempt):
        assert explanation in body and explanation in str(data)
    assert 'data-testid="retake"' not in body


@pytest.mark.parametrize("element", ELEMENTS)
def test_each_policy_element_alone_right_after_then_after_the_close(client, sat, time_machine,
                                                                    element):
    """Only `element` is shown, and only once the sitting has closed."""
    attempt = sat(right=3, **_policy(after_close=(element,)))
    body, data = _seen(client, attempt)
    assert data["score_percent"] is None and data["points"] is None
    assert data["modules"] is None and data["questions"] is None
    assert 'data-testid="score"' not in body and "100.00%" not in body
    assert 'data-testid="module-breakdown"' not in body and 'id="review"' not in body
    _key_absent(body, data, attempt)

    _after_close(time_machine)
    body, data = _seen(client, attempt)
    assert _shown(body, data, attempt) == {e: e == element for e in ELEMENTS}
    assert data["review"] == {**data["review"], **{e: e == element for e in ELEMENTS}}


def test_the_exam_list_and_dashboard_show_a_score_only_when_the_policy_does(client, sat):
    attempt = sat(right=3, **_policy(after_close=("score",)))
    client.force_login(attempt.user)
    for url in (reverse("exams:index"), "/me/"):
        body = client.get(url).content.decode()
        assert reverse("exams:result", args=[attempt.pk]) in body
        assert "100.00%" not in body


def test_exam_admins_set_the_policy_on_the_exam_form(client, user_factory, exam_factory):
    exam = exam_factory()
    admin = user_factory(roles=["exam_admin"], is_staff=True)
    client.force_login(admin)
    body = client.get(reverse("admin:exams_exam_change", args=[exam.pk])).content.decode()
    for when in ("after_attempt", "after_close"):
        for element in ELEMENTS:
            assert f'name="review_{element}_{when}"' in body


def test_the_api_submit_answers_the_same_policy(client, exam_factory, candidate):
    exam = exam_factory(per_module={1: 2})
    client.force_login(candidate)
    started = client.post(f"{API}/{exam.pk}/attempts").json()
    submitted = client.post(f"{API}/attempts/{started['attempt_id']}/submit")
    assert submitted.status_code == 200
    data = submitted.json()
    assert data["passed"] is False and data["attempts_left"] == 1
    assert data["score_percent"] == "0.00" and data["questions"] is None
    assert data["review"]["key_withheld_for_retake"] is True
    body = submitted.content.decode()
    for item in AttemptQuestion.objects.filter(attempt_id=started["attempt_id"]).select_related(
            "version"):
        assert item.version.explanation not in body


@pytest.mark.parametrize("element", ELEMENTS)
def test_each_policy_element_alone_right_after_the_attempt(client, sat, element):
    attempt = sat(right=3, **_policy(after_attempt=(element,)))
    body, data = _seen(client, attempt)
    assert _shown(body, data, attempt) == {e: e == element for e in ELEMENTS}
    if element != "key":
        _key_absent(body, data, attempt)
