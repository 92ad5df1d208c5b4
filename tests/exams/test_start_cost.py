"""Starting and submitting an exam, as a window of thousands sends them in its first and last
minutes: the paper a start answers with is the one stored, and neither request reads more than
it needs (the bank's texts, the paper it has just written, the same sitting twice)."""

from __future__ import annotations

import datetime as dt

import pytest

from exams.models import AttemptQuestion

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def exam(exam_factory, candidate, client, time_machine):
    """A paper of six from a bank of twelve, the candidate signed in."""
    time_machine.move_to(START, tick=False)
    client.force_login(candidate)
    return exam_factory(per_module={1: 3, 2: 3}, bank_extra=3)


def _start(client, exam):
    return client.post(f"/api/v1/exams/{exam.pk}/attempts", content_type="application/json")


def test_the_paper_a_start_answers_with_is_the_paper_stored(client, exam):
    started = _start(client, exam)
    assert started.status_code == 201
    paper = started.json()
    stored = client.get(f"/api/v1/exams/attempts/{paper['attempt_id']}").json()
    assert paper == stored
    assert len(paper["questions"]) == 6
    orders = dict(AttemptQuestion.objects.filter(attempt_id=paper["attempt_id"])
                  .values_list("position", "option_order"))
    assert {q["position"]: [o["key"] for o in q["options"]] for q in paper["questions"]} == orders


def test_a_start_reads_only_the_drawn_versions_and_not_its_own_paper(
        client, exam, django_assert_max_num_queries):
    # The session and user, the exam, eligibility (attempts, course, sitting), the blueprint,
    # the pool, the drawn versions, the extra time, and the three writes.
    with django_assert_max_num_queries(15) as queries:
        response = _start(client, exam)
    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if s.startswith("SELECT") and "exams_attemptquestion" in s]
    texts = [s for s in statements if '"exams_questionversion"."text"' in s]
    assert len(texts) == 1, texts
    pool = [s for s in statements if 'FROM "exams_question"' in s]
    assert len(pool) == 1 and '"options"' not in pool[0], pool


def test_a_submit_reads_its_attempt_and_sitting_once(client, exam, django_assert_max_num_queries):
    attempt_id = _start(client, exam).json()["attempt_id"]
    with django_assert_max_num_queries(13) as queries:
        response = client.post(f"/api/v1/exams/attempts/{attempt_id}/submit",
                               content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    statements = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in statements if s.startswith('SELECT "exams_attempt"."id"')]) == 1
    assert len([s for s in statements if 'FROM "exams_sitting"' in s]) == 1, statements


def test_someone_elses_attempt_is_not_found_and_stays_open(client, exam, user_factory,
                                                          complete_course):
    attempt_id = _start(client, exam).json()["attempt_id"]
    intruder = user_factory(roles=["candidate"])
    complete_course(intruder)
    client.force_login(intruder)
    response = client.post(f"/api/v1/exams/attempts/{attempt_id}/submit",
                           content_type="application/json")
    assert response.status_code == 404
    assert not AttemptQuestion.objects.filter(attempt_id=attempt_id,
                                              attempt__state="submitted").exists()
