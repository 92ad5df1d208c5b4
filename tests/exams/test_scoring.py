"""Exact scoring: the pass-mark boundary, multiple-choice rules, the pass event."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from exams import scoring
from exams.models import MultipleChoiceRule, QuestionKind
from exams.selectors import attempt_result, passed_attempts_since
from exams.services import attempt_start, attempt_submit
from exams.signals import attempt_passed

from .helpers import answer_all


@pytest.mark.parametrize(
    ("score", "mark", "expected"),
    [
        (Fraction(60, 100), Decimal("60.00"), True),
        (Fraction(5999, 10000), Decimal("60.00"), False),
        (Fraction(3, 5), Decimal("60"), True),
        (Fraction(2, 3), Decimal("66.67"), False),  # 66.666…% is below 66.67%
        (Fraction(7, 10), Decimal("70.00"), True),
    ],
)
def test_pass_decision_compares_exact_values(score, mark, expected):
    assert scoring.passes(score, mark) is expected


def test_percent_rounds_half_up_for_display_only():
    assert scoring.percent(Fraction(5999, 10000)) == Decimal("59.99")
    assert scoring.percent(Fraction(1, 8)) == Decimal("12.50")
    assert scoring.percent(Fraction(2, 3)) == Decimal("66.67")
    assert scoring.percent(Fraction(1, 200)) == Decimal("0.50")


def test_multiple_choice_all_or_nothing_by_default():
    credit = scoring.item_credit
    assert credit(kind=QuestionKind.MULTIPLE, selected=["A", "C"], correct=["A", "C"]) == 1
    assert credit(kind=QuestionKind.MULTIPLE, selected=["A"], correct=["A", "C"]) == 0
    assert credit(kind=QuestionKind.MULTIPLE, selected=["A", "B", "C"], correct=["A", "C"]) == 0


def test_multiple_choice_proportional_rule():
    rule = MultipleChoiceRule.PROPORTIONAL
    credit = scoring.item_credit
    assert credit(kind="multiple", selected=["A"], correct=["A", "C"], rule=rule) == Fraction(1, 2)
    assert credit(kind="multiple", selected=["A", "B"], correct=["A", "C"], rule=rule) == 0
    assert credit(kind="multiple", selected=["A", "C", "D"], correct=["A", "C", "E"],
                  rule=rule) == Fraction(1, 3)
    # single choice ignores the rule
    assert credit(kind="single", selected=["A"], correct=["B"], rule=rule) == 0


@pytest.mark.parametrize(("right", "passed", "percent"),
                         [(3, True, Decimal("60.00")), (2, False, Decimal("40.00"))])
def test_attempt_at_the_pass_mark(exam_factory, candidate, right, passed, percent):
    exam = exam_factory(per_module={1: 3, 2: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=right)
    attempt = attempt_submit(attempt_id=attempt.pk, user=candidate)
    assert attempt.passed is passed
    assert attempt.score_percent == percent
    result = attempt_result(attempt)
    assert sum(m.possible for m in result.modules) == 5
    assert {m.number for m in result.modules} == {1, 2}


def test_pass_mark_is_per_exam(exam_factory, candidate):
    exam = exam_factory(per_module={1: 5}, pass_mark_percent=Decimal("80.00"))
    attempt, _ = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=3)
    assert attempt_submit(attempt_id=attempt.pk, user=candidate).passed is False


def test_a_pass_emits_attempt_passed_once_after_commit(exam_factory, candidate,
                                                       django_capture_on_commit_callbacks):
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    attempt_passed.connect(listener)
    try:
        exam = exam_factory(per_module={1: 2})
        attempt, _ = attempt_start(exam=exam, user=candidate)
        answer_all(attempt, right=2)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(attempt_id=attempt.pk, user=candidate)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(attempt_id=attempt.pk, user=candidate)  # twice: still one event
    finally:
        attempt_passed.disconnect(listener)
    assert len(received) == 1
    event = received[0]
    assert event["attempt_id"] == attempt.pk
    assert event["user_id"] == candidate.pk
    assert event["exam_id"] == exam.pk
    assert event["score_percent"] == Decimal("100.00")
    assert event["passed_at"] is not None
    rows = passed_attempts_since(event["passed_at"])
    assert rows == [(attempt.pk, candidate.pk, Decimal("100.00"), event["passed_at"])]


def test_a_fail_emits_nothing(exam_factory, candidate, django_capture_on_commit_callbacks):
    received = []
    attempt_passed.connect(lambda sender, **kw: received.append(kw), weak=False,
                           dispatch_uid="fail-test")
    try:
        exam = exam_factory(per_module={1: 2})
        attempt, _ = attempt_start(exam=exam, user=candidate)
        answer_all(attempt, right=0)
        with django_capture_on_commit_callbacks(execute=True):
            attempt_submit(attempt_id=attempt.pk, user=candidate)
    finally:
        attempt_passed.disconnect(dispatch_uid="fail-test")
    assert received == []


def test_submitting_costs_the_same_queries_whatever_the_paper_length(exam_factory, user_factory,
                                                                     complete_course):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def submit_queries(per_module: dict[int, int]) -> int:
        person = user_factory()
        exam = exam_factory(per_module=per_module)
        complete_course(person, exam.course)
        attempt, _ = attempt_start(exam=exam, user=person)
        answer_all(attempt, right=len(per_module))
        with CaptureQueriesContext(connection) as queries:
            attempt_submit(attempt_id=attempt.pk, user=person)
        return len(queries.captured_queries)

    assert submit_queries({1: 2}) == submit_queries({m: 2 for m in range(1, 10)})
