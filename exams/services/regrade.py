"""Regrades: an attempt rescored from its frozen paper, a withdrawn pass announced."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.services import audit_record

from ..models import Attempt, AttemptEventKind, AttemptState
from ..signals import attempt_pass_withdrawn
from .events import attempt_log
from .submit import attempt_score


def attempt_regrade(*, attempt_id: int, actor: Any, reason: str) -> Attempt:
    """Recompute an attempt's score from its frozen paper (after a question was voided)."""
    with transaction.atomic():
        attempt = (Attempt.objects.select_for_update(of=("self",)).select_related("exam")
                   .get(pk=attempt_id))
        if attempt.state == AttemptState.OPEN:
            return attempt
        before = (str(attempt.score_percent), attempt.passed)
        attempt_score(attempt)
        after = (str(attempt.score_percent), attempt.passed)
        if before != after:
            attempt_log(attempt, AttemptEventKind.REGRADE, actor, reason=reason,
                        score_before=before[0], score_after=after[0],
                        passed_before=before[1], passed_after=after[1])
            audit_record(actor=actor, action="exams.attempt.regraded", target=attempt,
                         reason=reason,
                         data={"score_before": before[0], "score_after": after[0],
                               "passed_before": before[1], "passed_after": after[1]})
            if before[1] and not attempt.passed and attempt.pass_notified_at is not None:
                _notify_pass_withdrawn(attempt, reason=reason)
                # A later regrade that makes it a pass again announces that pass anew.
                attempt.pass_notified_at = None
                attempt.save(update_fields=["pass_notified_at"])
    return attempt


def _notify_pass_withdrawn(attempt: Attempt, *, reason: str) -> None:
    kwargs = {
        "attempt_id": attempt.pk,
        "user_id": attempt.user_id,
        "exam_id": attempt.exam_id,
        "score_percent": attempt.score_percent,
        "reason": reason,
    }
    transaction.on_commit(lambda: attempt_pass_withdrawn.send(sender=Attempt, **kwargs))
