"""Eligibility, paper drawing, the server clock, ordered autosave, auto-submit, accommodations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from exams.errors import AttemptClosed, NotEligible, TooLate
from exams.models import Attempt, AttemptEvent, AttemptQuestion, QuestionKind, Sitting
from exams.services import (
    accommodation_grant,
    attempt_answer_save,
    attempt_start,
    attempt_submit,
    attempts_submit_expired,
    question_save,
)
from exams.tasks import attempts_submit_expired as beat_task

from .helpers import answer_all


def _events(attempt):
    return list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))


def test_only_people_who_completed_the_course_may_start(exam_factory, user_factory):
    exam = exam_factory()
    outsider = user_factory(roles=["trainee"])
    with pytest.raises(NotEligible, match="completed the course"):
        attempt_start(exam=exam, user=outsider)
    assert not Attempt.objects.exists()


def test_completing_another_course_is_not_enough(exam_factory, user_factory, complete_course):
    from decimal import Decimal

    from lms.models import Course

    other = Course.objects.create(code="other", title="其他课程", price=Decimal("1.00"))
    person = user_factory()
    complete_course(person, other)
    with pytest.raises(NotEligible):
        attempt_start(exam=exam_factory(), user=person)


def test_no_start_outside_a_sitting_window(exam_factory, candidate):
    exam = exam_factory(open_window=False)
    now = timezone.now()
    Sitting.objects.create(exam=exam, starts_at=now + timedelta(days=1),
                           ends_at=now + timedelta(days=2))
    with pytest.raises(NotEligible, match="No sitting"):
        attempt_start(exam=exam, user=candidate)


def test_attempts_allowed_and_retake_wait(exam_factory, candidate):
    exam = exam_factory(per_module={1: 2}, max_attempts=2, retake_wait_hours=24)
    first, _ = attempt_start(exam=exam, user=candidate)
    attempt_submit(attempt_id=first.pk, user=candidate)  # unanswered: a fail
    with pytest.raises(NotEligible, match="retake"):
        attempt_start(exam=exam, user=candidate)
    Attempt.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(hours=25))
    second, created = attempt_start(exam=exam, user=candidate)
    assert created and second.number == 2
    attempt_submit(attempt_id=second.pk, user=candidate)
    Attempt.objects.filter(pk=second.pk).update(submitted_at=timezone.now() - timedelta(days=2))
    with pytest.raises(NotEligible, match="all 2 attempts"):
        attempt_start(exam=exam, user=candidate)


def test_paper_follows_the_blueprint_and_is_frozen(exam_factory, candidate):
    exam = exam_factory(per_module={1: 3, 2: 2, 5: 1}, bank_extra=3)
    attempt, created = attempt_start(exam=exam, user=candidate)
    assert created
    items = list(attempt.items.all())
    modules = sorted(i.module_number for i in items)
    assert modules == [1, 1, 1, 2, 2, 5]
    assert len({i.question_id for i in items}) == 6
    for item in items:
        assert sorted(item.option_order) == ["A", "B", "C", "D"]
    # Editing a question afterwards makes a new version; the attempt keeps the old one.
    item = items[0]
    old_text = item.version.text
    q = item.question
    question_save(code=q.code, module_number=q.module_number, kind=q.kind, text="改过的题干",
                  options=q.current_version.options, correct_keys=["B"])
    item.refresh_from_db()
    assert item.version.text == old_text
    assert item.version.correct_keys == ["A"]
    q.refresh_from_db()
    assert q.current_version.number == 2


def test_options_are_shuffled_between_attempts(exam_factory, user_factory, complete_course):
    exam = exam_factory(per_module={1: 10})
    orders = set()
    for _i in range(4):
        person = user_factory()
        complete_course(person)
        attempt, _ = attempt_start(exam=exam, user=person)
        orders.add(tuple(tuple(i.option_order) for i in attempt.items.order_by("question_id")))
        orders.add(tuple(attempt.items.order_by("position").values_list("question_id", flat=True)))
    # 4 attempts × (options order, question order): identical papers would give 2 distinct values.
    assert len(orders) > 2


def test_second_start_returns_the_open_attempt(exam_factory, candidate):
    exam = exam_factory()
    first, created = attempt_start(exam=exam, user=candidate)
    again, created_again = attempt_start(exam=exam, user=candidate)
    assert created and not created_again
    assert again.pk == first.pk
    assert Attempt.objects.filter(user=candidate).count() == 1


def test_deadline_is_start_plus_duration_capped_by_window(exam_factory, candidate):
    exam = exam_factory(duration_minutes=90, open_window=False)
    now = timezone.now()
    Sitting.objects.create(exam=exam, starts_at=now - timedelta(hours=1),
                           ends_at=now + timedelta(minutes=30))
    attempt, _ = attempt_start(exam=exam, user=candidate)
    assert attempt.deadline == attempt.sitting.ends_at
    exam.cap_deadline_at_window_end = False
    exam.save()
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    second, _ = attempt_start(exam=exam, user=candidate)
    assert second.deadline == second.started_at + timedelta(minutes=90)


def test_saves_are_ordered_and_idempotent(exam_factory, candidate):
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    item = attempt.items.get(position=1)
    a, b = item.option_order[0], item.option_order[1]
    assert attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1, selected=[b],
                               flagged=True, seq=7).applied
    # The older save (seq 5) arrives late: it must not overwrite the newer answer.
    assert not attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                                   selected=[a], flagged=False, seq=5).applied
    # The same save again (a retry) changes nothing.
    assert not attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                                   selected=[b], flagged=True, seq=7).applied
    item.refresh_from_db()
    assert item.selected == [b] and item.flagged and item.seq == 7
    kinds = _events(attempt)
    assert kinds == ["start", "save", "save_stale", "save_stale"]


def test_single_choice_accepts_one_option_only(exam_factory, candidate):
    from exams.errors import ExamError

    exam = exam_factory(per_module={1: 1})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    with pytest.raises(ExamError):
        attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                            selected=["A", "B"], flagged=False, seq=1)
    with pytest.raises(ExamError):
        attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                            selected=["Z"], flagged=False, seq=2)


def test_grace_period_then_late_saves_are_rejected(exam_factory, candidate, settings):
    settings.EXAMS_GRACE_SECONDS = 15
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=5))
    assert attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                               selected=["A"], flagged=False, seq=1).applied
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=16))
    with pytest.raises(TooLate):
        attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=2,
                            selected=["A"], flagged=False, seq=2)
    assert AttemptQuestion.objects.get(attempt=attempt, position=2).selected == []
    assert "save_late" in _events(attempt)


def test_no_saves_after_submit(exam_factory, candidate):
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    with pytest.raises(AttemptClosed):
        attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                            selected=["A"], flagged=False, seq=1)


def test_expired_attempts_are_auto_submitted_with_their_answers(exam_factory, candidate,
                                                                user_factory, complete_course):
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=2)
    other = user_factory()
    complete_course(other)
    running, _ = attempt_start(exam=exam, user=other)
    deadline = timezone.now() - timedelta(minutes=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    assert beat_task.delay().get() == 1
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.submit_reason == "deadline"
    assert attempt.submitted_at == deadline
    assert attempt.passed is True
    running.refresh_from_db()
    assert running.state == "open"
    assert attempts_submit_expired() == 0  # idempotent
    assert _events(attempt).count("auto_submit") == 1


def test_accommodation_before_and_during_an_attempt(exam_factory, candidate, user_factory):
    from core.models import AuditEntry

    admin = user_factory(roles=["exam_admin"])
    exam = exam_factory(duration_minutes=60, cap_deadline_at_window_end=False)
    accommodation_grant(exam=exam, user=candidate, extra_minutes=15,
                        reason="视力障碍，需放大字体", granted_by=admin)
    attempt, _ = attempt_start(exam=exam, user=candidate)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=75)
    accommodation_grant(exam=exam, user=candidate, extra_minutes=10, reason="考试中网络中断",
                        granted_by=admin)
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=85)
    event = AttemptEvent.objects.get(attempt=attempt, kind="accommodation")
    assert event.actor == admin and event.data["reason"] == "考试中网络中断"
    assert AuditEntry.objects.filter(action="exams.accommodation.granted").count() == 2


def test_true_false_questions_keep_their_option_order(exam_factory, candidate):
    exam = exam_factory(per_module={3: 3}, kind=QuestionKind.TRUE_FALSE)
    attempt, _ = attempt_start(exam=exam, user=candidate)
    assert all(i.option_order == ["A", "B"] for i in attempt.items.all())
