"""Item statistics that do not mislead (issue 10 point 6): n and a small-sample warning, KR-20
never above 1 with drawn papers, question text and Moodle's guidance per row; exam admins browse
and preview the bank in the platform's pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from exams.item_analysis import discrimination_guidance, facility_guidance, kr20
from exams.models import Question, QuestionKind
from exams.services import attempt_start, attempt_submit

from .helpers import answer_by_question

# Four candidates on drawn papers: q1-q3 on every paper, q4/q5 on two each. By hand, on the
# common q1-q3: totals 3 2 0 1, mean 1.5, population variance 1.25; p = .75 .5 .25,
# Σpq = .1875 + .25 + .1875 = .625; KR-20 = 3/2 · (1 − .625/1.25) = 0.75.
DRAWN = {
    "a1": {"q1": 1, "q2": 1, "q3": 1, "q4": 0},
    "a2": {"q1": 1, "q2": 1, "q3": 0, "q5": 1},
    "a3": {"q1": 0, "q2": 0, "q3": 0, "q4": 1},
    "a4": {"q1": 1, "q2": 0, "q3": 0, "q5": 0},
}


def test_kr20_on_drawn_papers_uses_the_questions_every_paper_contained():
    result = kr20(DRAWN)
    assert result.kr20 == pytest.approx(0.75)
    assert (result.items, result.attempts) == (3, 4)


def test_two_drawn_papers_no_longer_give_a_reliability_above_one():
    """The case behind KR-20 = 1.044: two candidates, 18-question papers from a larger bank.
    Σpq over every item seen (most seen once, so pq = 0) against the totals' variance gave
    k/(k−1) · (1 − small) > 1."""
    one = {f"q{i}": 1 for i in range(18)}
    other = {f"q{i}": (1 if i % 3 else 0) for i in range(9, 27)}
    result = kr20({"a": one, "b": other})
    assert result.items == 9
    assert result.kr20 is None or result.kr20 <= 1
    assert kr20({"a": {"q1": 1, "q2": 1}, "b": {"q3": 0, "q4": 0}}).kr20 is None  # nothing shared


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.integers(0, 7), st.integers(0, 1), min_size=1, max_size=8),
                min_size=1, max_size=15))
def test_kr20_never_exceeds_one(papers):
    result = kr20(dict(enumerate(papers)))
    if result.kr20 is not None:
        assert result.kr20 <= 1.0
        assert result.items >= 2 and result.attempts >= 2


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.integers(2, 8).flatmap(lambda k: st.lists(
    st.lists(st.integers(0, 1), min_size=k, max_size=k), min_size=2, max_size=20)))
def test_kr20_on_complete_papers_never_exceeds_one(rows):
    result = kr20({n: dict(enumerate(row)) for n, row in enumerate(rows)})
    assert result.kr20 is None or result.kr20 <= 1.0


def test_moodles_guidance_ranges():
    assert facility_guidance(0.05) == "Extremely difficult or something wrong with the question"
    assert facility_guidance(0.5) == "About right for the average candidate"
    assert facility_guidance(0.85) == "Easy"
    assert facility_guidance(1.0) == "Extremely easy"
    assert discrimination_guidance(0.55) == "Very good discrimination"
    assert discrimination_guidance(0.3) == "Adequate discrimination"
    assert discrimination_guidance(0.1) == "Very weak discrimination"
    assert discrimination_guidance(-0.2) == "Question probably invalid"
    assert facility_guidance(None) == discrimination_guidance(None) == ""


def test_the_page_states_n_warns_on_a_small_sample_and_shows_each_questions_text(
        client, user_factory, complete_course, exam_factory, settings):
    exam = exam_factory(per_module={1: 2})
    questions = list(Question.objects.order_by("pk").select_related("current_version"))
    for right in (True, False):
        person = user_factory()
        complete_course(person)
        attempt, _ = attempt_start(exam=exam, user=person)
        answer_by_question(attempt, {questions[0].pk: right, questions[1].pk: True})
        attempt_submit(attempt_id=attempt.pk, user=person)
    client.force_login(user_factory(roles=["exam_admin"]))
    body = client.get(reverse("exams:statistics", args=[exam.pk])).content.decode()
    assert 'data-testid="attempts">2<' in body
    warning = body.split('data-testid="small-sample">')[1].split("</p>")[0]
    assert "2" in warning and "30" in warning
    row = body.split(f'data-testid="item-{questions[0].code}">')[1].split("</tr>")[0]
    assert questions[0].current_version.text[:20] in row
    assert "50%" in row
    assert 'data-testid="guidance"' in body
    assert 'data-testid="kr20-basis"' in body
    settings.EXAMS_STATS_MIN_ATTEMPTS = 2  # the threshold (30 by default) is a setting
    body = client.get(reverse("exams:statistics", args=[exam.pk])).content.decode()
    assert 'data-testid="small-sample"' not in body


@pytest.fixture
def bank(question_factory, standard):
    from cms.models import StandardItem

    items = {item.code: item for item in StandardItem.objects.all()}
    made = []
    for n in range(30):
        module = 1 + n % 3  # module m holds items (m+3).1.1 to (m+3).1.3
        made.append(question_factory(module=module, item=items[f"{module + 3}.1.{n % 2 + 1}"],
                                     kind=QuestionKind.TRUE_FALSE if n % 5 == 0 else "single",
                                     code=f"Q-{n:04d}"))
    Question.objects.filter(code="Q-0001").update(is_active=False)
    return made


def _codes(body: str) -> set[str]:
    return {part.split('"')[0] for part in body.split('data-testid="bank-')[1:]
            if part.startswith("Q-")}


def test_exam_admins_browse_filter_and_page_the_bank(client, user_factory, bank):
    client.force_login(user_factory(roles=["exam_admin"]))
    url = reverse("exams:questions")
    body = client.get(url).content.decode()
    assert len(_codes(body)) == 25 and 'data-testid="pager"' in body
    assert bank[0].current_version.text in body  # the question text, not just its code
    assert len(_codes(client.get(url, {"page": 2}).content.decode())) == 5
    module_2 = _codes(client.get(url, {"module": 2}).content.decode())
    assert module_2 == {q.code for q in bank if q.module_number == 2}
    assert _codes(client.get(url, {"kind": "true_false"}).content.decode()) == {
        q.code for q in bank if q.kind == "true_false"}
    assert _codes(client.get(url, {"item": "4.1.2"}).content.decode()) == {
        q.code for q in bank if q.item_code == "4.1.2"}
    assert _codes(client.get(url, {"status": "retired"}).content.decode()) == {"Q-0001"}
    both = _codes(client.get(url, {"module": 1, "kind": "true_false"}).content.decode())
    assert both == {q.code for q in bank if q.module_number == 1 and q.kind == "true_false"}


def test_the_bank_page_costs_the_same_queries_for_3_or_25_rows(client, user_factory,
                                                               question_factory):
    client.force_login(user_factory(roles=["exam_admin"]))
    url = reverse("exams:questions")
    counts = []
    for total in (3, 25):
        while Question.objects.count() < total:
            question_factory()
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_preview_shows_the_question_key_and_explanation(client, user_factory, candidate, bank):
    question = bank[3]
    url = reverse("exams:question", args=[question.pk])
    client.force_login(candidate)
    assert client.get(url).status_code == 403
    assert client.get(reverse("exams:questions")).status_code == 403
    client.force_login(user_factory(roles=["exam_admin"]))
    body = client.get(url).content.decode()
    version = question.current_version
    assert version.text in body and version.explanation in body
    preview = body.split('data-testid="preview"')[1]
    assert "is-key" in preview and all(o["text"] in preview for o in version.options)
    manage = client.get(reverse("exams:manage")).content.decode()
    assert reverse("exams:questions") in manage
    assert reverse("admin:exams_question_changelist") not in manage
