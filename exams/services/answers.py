"""Saving an answer: idempotent and ordered, with a one-statement PostgreSQL fast path
(docs/performance.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.db import prepared_cursor

from ..errors import AttemptClosed, ExamError, TooLate
from ..models import Attempt, AttemptEventKind, AttemptQuestion, AttemptState, QuestionKind
from .clock import grace_period
from .events import attempt_log
from .submit import attempt_close_if_expired


@dataclass
class SaveResult:
    applied: bool
    seq: int
    deadline: datetime


# PostgreSQL fast path for the hottest request of an exam window: lock the open attempt in
# share mode (a concurrent submit holds it FOR UPDATE, so a save either lands before the submit
# reads the answers or re-checks the state after it and finds the attempt closed), validate the
# answer against the frozen options, apply it only if its seq is newer, and log the event: one
# statement, one round trip. Anything it does not accept falls back to the ORM path below,
# which works out why (closed, late, invalid, not found) and says so.
_FAST_SAVE_SQL = """
WITH a AS (
    SELECT id, deadline FROM exams_attempt
    WHERE id = %(attempt)s AND user_id = %(user)s AND state = 'open' AND deadline >= %(cutoff)s
    FOR SHARE
), item AS (
    SELECT q.id FROM exams_attemptquestion q JOIN a ON q.attempt_id = a.id
    WHERE q.position = %(position)s AND q.option_order @> %(selected)s::jsonb
      AND (q.kind = 'multiple' OR jsonb_array_length(%(selected)s::jsonb) <= 1)
), u AS (
    UPDATE exams_attemptquestion q
    SET selected = %(selected)s::jsonb, flagged = %(flagged)s, seq = %(seq)s,
        answered_at = %(now)s
    FROM item WHERE q.id = item.id AND q.seq < %(seq)s
    RETURNING q.id
), e AS (
    INSERT INTO exams_attemptevent (attempt_id, at, kind, actor_id, data)
    SELECT %(attempt)s, %(now)s,
           CASE WHEN EXISTS (SELECT 1 FROM u) THEN 'save' ELSE 'save_stale' END,
           %(user)s, CASE WHEN EXISTS (SELECT 1 FROM u) THEN %(data)s::jsonb
                          ELSE %(stale_data)s::jsonb END
    FROM item
    RETURNING kind
)
SELECT e.kind, a.deadline FROM e, a
"""


def _answer_save_fast(*, attempt_id: int, user: User, position: int, chosen: list[str],
                      flagged: bool, seq: int, now: datetime) -> SaveResult | None:
    params: dict[str, Any] = {
        "attempt": attempt_id, "user": user.pk, "cutoff": now - grace_period(),
        "position": position, "selected": json.dumps(chosen), "flagged": flagged, "seq": seq,
        "now": now,
        "data": json.dumps({"position": position, "seq": seq, "selected": chosen,
                            "flagged": flagged}),
        "stale_data": json.dumps({"position": position, "seq": seq}),
    }
    # Prepared once per connection (core.db): the statement is parsed and planned once.
    with prepared_cursor() as cursor:
        cursor.execute(_FAST_SAVE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return SaveResult(applied=row[0] == AttemptEventKind.SAVE, seq=seq, deadline=row[1])


def attempt_answer_save(
    *, attempt_id: int, user: User, position: int, selected: list[str], flagged: bool, seq: int,
) -> SaveResult:
    """Save one answer. Idempotent and ordered: applied only when `seq` is newer than the last
    save of that question; an older save arriving late is ignored (and logged)."""
    now = timezone.now()
    if connection.vendor == "postgresql" and all(isinstance(k, str) for k in selected):
        fast = _answer_save_fast(attempt_id=attempt_id, user=user, position=position,
                                 chosen=sorted(set(selected)), flagged=flagged, seq=seq, now=now)
        if fast is not None:
            return fast
    updated = 0
    with transaction.atomic():
        # The row lock serialises this save with a concurrent submit of the same attempt.
        attempt = (
            Attempt.objects.select_for_update()
            .only("id", "user_id", "state", "deadline")
            .filter(pk=attempt_id, user=user)
            .first()
        )
        if attempt is None:
            raise Attempt.DoesNotExist
        if attempt.state != AttemptState.OPEN:
            raise AttemptClosed(_("This attempt has been submitted; answers can no longer change."))
        late = now > attempt.deadline + grace_period()
        if late:
            attempt_log(attempt, AttemptEventKind.SAVE_REJECTED, user, position=position, seq=seq)
            attempt_close_if_expired(attempt=attempt, now=now)
        else:
            item = (
                AttemptQuestion.objects.filter(attempt_id=attempt.pk, position=position)
                .only("id", "kind", "option_order", "seq").first()
            )
            if item is None:
                raise ExamError(_("There is no question %(n)d on this paper.") % {"n": position})
            chosen = sorted(set(selected))
            if not set(chosen) <= set(item.option_order):
                raise ExamError(_("That answer is not one of the options."))
            if item.kind != QuestionKind.MULTIPLE and len(chosen) > 1:
                raise ExamError(_("Choose one option for this question."))
            updated = AttemptQuestion.objects.filter(pk=item.pk, seq__lt=seq).update(
                selected=chosen, flagged=flagged, seq=seq, answered_at=now
            )
            if updated:
                attempt_log(attempt, AttemptEventKind.SAVE, user, position=position, seq=seq,
                            selected=chosen, flagged=flagged)
            else:
                attempt_log(attempt, AttemptEventKind.SAVE_IGNORED, user, position=position,
                            seq=seq)
    if late:
        # Raised after the block commits, so the rejected save stays in the attempt log.
        raise TooLate(_("Time is up: this answer arrived after the deadline and was not saved."))
    return SaveResult(applied=bool(updated), seq=seq, deadline=attempt.deadline)
