"""Concurrency on PostgreSQL: parallel starts give one attempt; racing saves keep the newest."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from exams.models import Attempt, AttemptQuestion, AttemptState
from exams.services import attempt_answer_save, attempt_start, attempt_submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_parallel_starts_make_one_open_attempt(exam_factory, candidate):
    exam = exam_factory(per_module={1: 3, 2: 3})
    results = _in_threads(8, lambda _i: attempt_start(exam=exam, user=candidate))
    assert not [r for r in results if isinstance(r, Exception)], results
    ids = {attempt.pk for attempt, _created in results}
    assert len(ids) == 1
    assert sum(1 for _a, created in results if created) == 1
    assert Attempt.objects.filter(user=candidate, exam=exam).count() == 1
    assert AttemptQuestion.objects.filter(attempt_id=ids.pop()).count() == 6


def test_racing_saves_keep_the_highest_sequence(exam_factory, candidate):
    exam = exam_factory(per_module={1: 1})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    keys = attempt.items.get().option_order

    def save(i: int) -> bool:
        return attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                                   selected=[keys[i % len(keys)]], flagged=False,
                                   seq=i + 1).applied

    results = _in_threads(12, save)
    assert not [r for r in results if isinstance(r, Exception)], results
    item = AttemptQuestion.objects.get(attempt=attempt)
    assert item.seq == 12
    assert item.selected == [keys[11 % len(keys)]]


def test_save_racing_submit_is_either_scored_or_refused(exam_factory, candidate):
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    item = attempt.items.select_related("version").get(position=1)

    def work(i: int) -> Any:
        if i == 0:
            return attempt_submit(attempt_id=attempt.pk, user=candidate)
        return attempt_answer_save(attempt_id=attempt.pk, user=candidate, position=1,
                                   selected=item.version.correct_keys, flagged=False, seq=1)

    results = _in_threads(2, work)
    attempt.refresh_from_db()
    item.refresh_from_db()
    saved = not isinstance(results[1], Exception)
    # Whatever the order, the stored answer and the score agree: no answer lost from scoring.
    assert item.is_correct is saved
    assert attempt.points_num == (1 if saved else 0)


def test_submits_of_one_sitting_do_not_wait_for_each_other(
    exam_factory, candidate, user_factory, complete_course
):
    """The submit wave: thousands submit the same exam within minutes. Each submit locks its own
    attempt, not the exam, so one candidate's submit in progress never holds up another's."""
    exam = exam_factory(per_module={1: 2})
    other = user_factory(roles=["candidate"])
    complete_course(other)
    mine, _ = attempt_start(exam=exam, user=candidate)
    theirs, _ = attempt_start(exam=exam, user=other)

    def submit_theirs(_i: int) -> Attempt:
        with transaction.atomic():
            # Waiting on a lock past this fails the submit instead of hanging the test.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            return attempt_submit(attempt_id=theirs.pk, user=other)

    with transaction.atomic():
        # My submit is under way (its locks held until this block commits) ...
        attempt_submit(attempt_id=mine.pk, user=candidate)
        # ... while the other candidate submits from another connection.
        [result] = _in_threads(1, submit_theirs)

    assert not isinstance(result, Exception), result
    assert result.state == AttemptState.SUBMITTED
    assert Attempt.objects.filter(exam=exam, state=AttemptState.SUBMITTED).count() == 2
