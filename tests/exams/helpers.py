"""Helpers shared by the exams tests."""

from __future__ import annotations

from typing import Any


def answer_all(attempt: Any, *, right: int) -> None:
    """Answer the first `right` items correctly and the rest wrongly (helper for tests)."""
    from exams.services import attempt_answer_save

    for i, item in enumerate(attempt.items.select_related("version").order_by("position")):
        keys = item.version.correct_keys
        wrong = [k for k in item.option_order if k not in keys][:1]
        attempt_answer_save(attempt_id=attempt.pk, user=attempt.user, position=item.position,
                            selected=keys if i < right else wrong, flagged=False, seq=i + 1)


def answer_by_question(attempt: Any, pattern: dict[int, bool]) -> None:
    """Answer each question (by Question id) right (True) or wrong (False)."""
    from exams.services import attempt_answer_save

    for item in attempt.items.select_related("version").order_by("position"):
        keys = item.version.correct_keys
        wrong = [k for k in item.option_order if k not in keys][:1]
        attempt_answer_save(attempt_id=attempt.pk, user=attempt.user, position=item.position,
                            selected=keys if pattern[item.question_id] else wrong,
                            flagged=False, seq=item.position)
