"""What a candidate's browser and the API receive: no keys while open, only one's own attempts."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from exams.models import Attempt, QuestionKind
from exams.services import attempt_start

from .helpers import answer_all

API = "/api/v1/exams"


def _secrets(attempt):
    """Strings that would give the answers away if a candidate could see them."""
    found = {"is_correct", "correct_keys", "correct", "explanation", "credit"}
    for item in attempt.items.select_related("version"):
        found.add(item.version.explanation)
    return found


def _key_pattern_absent(body: str, attempt) -> None:
    for secret in _secrets(attempt):
        assert secret not in body, f"{secret!r} leaked"


@pytest.fixture
def mixed_exam(exam_factory, question_factory):
    exam = exam_factory(per_module={1: 2, 2: 2})
    for _i in range(2):
        question_factory(module=3, kind=QuestionKind.MULTIPLE)
        question_factory(module=4, kind=QuestionKind.TRUE_FALSE)
    exam.blueprint.create(module_number=3, kind=QuestionKind.MULTIPLE, count=2)
    exam.blueprint.create(module_number=4, kind=QuestionKind.TRUE_FALSE, count=2)
    return exam


def test_no_key_leaks_to_candidate_pages_or_api_while_open(client, candidate, mixed_exam):
    client.force_login(candidate)
    response = client.post(f"{API}/{mixed_exam.pk}/attempts")
    assert response.status_code == 201
    attempt = Attempt.objects.get(user=candidate)
    bodies = [response.content.decode()]
    bodies.append(client.get(f"{API}/attempts/{attempt.pk}").content.decode())
    save = client.put(f"{API}/attempts/{attempt.pk}/answers/1",
                      data=json.dumps({"selected": [], "flagged": True, "seq": 1}),
                      content_type="application/json")
    assert save.status_code == 200
    bodies.append(save.content.decode())
    bodies.append(client.get(f"{API}/attempts/{attempt.pk}/result").content.decode())
    bodies.append(client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode())
    bodies.append(client.get(reverse("exams:index")).content.decode())
    redirect = client.get(reverse("exams:result", args=[attempt.pk]))
    assert redirect.status_code == 302  # no result page while open
    bodies.append(client.get("/me/").content.decode())
    for body in bodies:
        _key_pattern_absent(body, attempt)
    # The page does carry the questions themselves.
    first = attempt.items.select_related("version").get(position=1)
    assert first.version.text in bodies[4]


def test_paper_options_are_in_the_frozen_order(client, candidate, mixed_exam):
    client.force_login(candidate)
    client.post(f"{API}/{mixed_exam.pk}/attempts")
    attempt = Attempt.objects.get(user=candidate)
    paper = client.get(f"{API}/attempts/{attempt.pk}").json()
    for question in paper["questions"]:
        item = attempt.items.get(position=question["position"])
        assert [o["key"] for o in question["options"]] == item.option_order
    assert paper["seconds_remaining"] > 0
    again = client.post(f"{API}/{mixed_exam.pk}/attempts")
    assert again.status_code == 200 and again.json()["attempt_id"] == attempt.pk


def test_another_persons_attempt_is_404(client, candidate, user_factory, complete_course,
                                        exam_factory):
    exam = exam_factory()
    attempt, _ = attempt_start(exam=exam, user=candidate)
    intruder = user_factory()
    complete_course(intruder)
    client.force_login(intruder)
    assert client.get(f"{API}/attempts/{attempt.pk}").status_code == 404
    assert client.put(f"{API}/attempts/{attempt.pk}/answers/1",
                      data=json.dumps({"selected": ["A"], "seq": 1}),
                      content_type="application/json").status_code == 404
    assert client.post(f"{API}/attempts/{attempt.pk}/submit").status_code == 404
    assert client.get(f"{API}/attempts/{attempt.pk}/result").status_code == 404
    for name in ("exams:attempt", "exams:result"):
        assert client.get(reverse(name, args=[attempt.pk])).status_code == 404
    assert client.post(reverse("exams:submit", args=[attempt.pk])).status_code == 404
    attempt.refresh_from_db()
    assert attempt.state == "open"


def test_signed_out_gets_401_from_the_api(client, exam_factory):
    exam = exam_factory()
    assert client.post(f"{API}/{exam.pk}/attempts").status_code == 401


def test_api_start_refused_with_reason_when_not_eligible(client, user_factory, exam_factory):
    exam = exam_factory()
    client.force_login(user_factory())
    response = client.post(f"{API}/{exam.pk}/attempts")
    assert response.status_code == 403
    assert "course" in response.json()["detail"].lower() or "课程" in response.json()["detail"]


def test_api_flow_save_out_of_order_submit_result(client, candidate, exam_factory):
    exam = exam_factory(per_module={1: 3, 2: 2})
    client.force_login(candidate)
    paper = client.post(f"{API}/{exam.pk}/attempts").json()
    attempt = Attempt.objects.get(pk=paper["attempt_id"])
    url = f"{API}/attempts/{attempt.pk}/answers/"
    right = {i.position: i.version.correct_keys for i in attempt.items.select_related("version")}
    wrong = {p: [k for k in "ABCD" if k not in keys][:1] for p, keys in right.items()}
    for position in right:
        new = client.put(url + str(position), content_type="application/json",
                         data=json.dumps({"selected": right[position], "seq": 10 + position}))
        assert new.json()["applied"] is True
        # an older save (wrong answer) arrives after the newer one
        old = client.put(url + str(position), content_type="application/json",
                         data=json.dumps({"selected": wrong[position], "seq": position}))
        assert old.status_code == 200 and old.json()["applied"] is False
    # a reload gets back exactly what was saved
    reloaded = client.get(f"{API}/attempts/{attempt.pk}").json()
    assert {q["position"]: q["selected"] for q in reloaded["questions"]} == right
    assert reloaded["last_seq"] == 15
    result = client.post(f"{API}/attempts/{attempt.pk}/submit").json()
    assert result["passed"] is True and result["score_percent"] == "100.00"
    assert [m["module"] for m in result["modules"]] == [1, 2]
    late = client.put(url + "1", content_type="application/json",
                      data=json.dumps({"selected": ["A"], "seq": 99}))
    assert late.status_code == 409
    assert client.get(f"{API}/attempts/{attempt.pk}").status_code == 409
    assert client.get(f"{API}/attempts/{attempt.pk}/result").json()["passed"] is True


def test_result_page_shows_outcome_breakdown_and_review(client, candidate, exam_factory):
    exam = exam_factory(per_module={1: 3, 2: 2}, max_attempts=1, review_marks_after_attempt=True,
                        review_key_after_attempt=True)
    attempt, _ = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=2)
    client.force_login(candidate)
    response = client.post(reverse("exams:submit", args=[attempt.pk]), follow=True)
    body = response.content.decode()
    assert "40.00%" in body
    assert 'data-testid="module-breakdown"' in body
    # the review (the policy shows it right after; no attempt is left) shows explanations
    explanation = attempt.items.select_related("version").first().version.explanation
    assert explanation in body


def test_review_hidden_when_the_exam_does_not_allow_it(client, candidate, exam_factory):
    exam = exam_factory(per_module={1: 2}, review_marks_after_close=False,
                        review_key_after_close=False)
    attempt, _ = attempt_start(exam=exam, user=candidate)
    client.force_login(candidate)
    body = client.post(reverse("exams:submit", args=[attempt.pk]), follow=True).content.decode()
    assert 'data-testid="module-breakdown"' in body
    assert 'id="review"' not in body
    for item in attempt.items.select_related("version"):
        assert item.version.explanation not in body


def test_index_page_start_button_and_reasons(client, candidate, user_factory, exam_factory):
    exam = exam_factory()
    client.force_login(candidate)
    body = client.get(reverse("exams:index")).content.decode()
    assert exam.title in body and reverse("exams:start", args=[exam.pk]) in body
    response = client.post(reverse("exams:start", args=[exam.pk]), {"honour": "on"})
    attempt = Attempt.objects.get(user=candidate)
    assert response.url == reverse("exams:attempt", args=[attempt.pk])
    client.force_login(user_factory())
    body = client.get(reverse("exams:index")).content.decode()
    assert 'data-testid="not-eligible"' in body


def test_the_open_paper_is_never_stored_so_back_cannot_show_it_live(client, candidate, mixed_exam):
    """The attempt page and the paper API (and starting, which answers the paper) say `no-store`:
    a browser going back after the submit asks the server again and is sent to the result."""
    client.force_login(candidate)
    started = client.post(f"{API}/{mixed_exam.pk}/attempts")
    attempt = Attempt.objects.get(user=candidate)
    page = client.get(reverse("exams:attempt", args=[attempt.pk]))
    paper = client.get(f"{API}/attempts/{attempt.pk}")
    for response in (started, page, paper):
        assert response.status_code in (200, 201)
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]

    client.post(reverse("exams:submit", args=[attempt.pk]))
    back = client.get(reverse("exams:attempt", args=[attempt.pk]))
    assert back.status_code == 302
    assert back["Location"] == reverse("exams:result", args=[attempt.pk])
    assert "no-store" in back["Cache-Control"]
    closed = client.get(f"{API}/attempts/{attempt.pk}")
    assert closed.status_code == 409
    assert "no-store" in closed["Cache-Control"]


def test_the_paper_page_tells_its_script_where_to_load_save_and_see_the_result(client, candidate,
                                                                              mixed_exam):
    """The addresses in the page's client settings are the API's and the result page's: the
    script fills the position into the save address for each answer."""
    client.force_login(candidate)
    client.post(f"{API}/{mixed_exam.pk}/attempts")
    attempt = Attempt.objects.get(user=candidate)
    page = client.get(reverse("exams:attempt", args=[attempt.pk]))
    cfg = page.context["client"]
    assert client.get(cfg["paperUrl"]).json()["attempt_id"] == attempt.pk
    save_url = cfg["saveUrl"].replace(cfg["savePosition"], "2")
    assert save_url == f"{API}/attempts/{attempt.pk}/answers/2"
    saved = client.put(save_url, data=json.dumps({"selected": [], "flagged": True, "seq": 1}),
                       content_type="application/json")
    assert saved.status_code == 200 and saved.json()["applied"] is True
    assert attempt.items.get(position=2).flagged
    assert cfg["resultUrl"] == reverse("exams:result", args=[attempt.pk])
