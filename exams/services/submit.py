"""Closing an attempt: by the candidate, by the clock (the deadline rule), and scoring it."""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .. import scoring
from ..models import Attempt, AttemptEventKind, AttemptQuestion, AttemptState, SubmitReason
from ..signals import attempt_passed
from .clock import grace_period
from .events import attempt_log


def attempt_score(attempt: Attempt) -> bool:
    """Mark every item and the attempt; return True when the attempt newly passed."""
    exam = attempt.exam
    items = list(
        attempt.items.select_related("version", "question")
        # `attempt` too: the related manager sets it on each row, which would load it lazily.
        .only("id", "attempt", "kind", "selected", "credit_num", "credit_den", "is_correct",
              "voided", "version__correct_keys", "question__voided_at")
    )
    earned, possible = Fraction(0), 0
    for item in items:
        credit = scoring.item_credit(
            kind=item.kind, selected=item.selected, correct=item.version.correct_keys,
            rule=exam.multiple_choice_rule,
        )
        item.credit_num, item.credit_den = credit.numerator, credit.denominator
        item.is_correct = credit == 1
        item.voided = item.question.voided_at is not None
        if not item.voided:
            earned += credit
            possible += 1
    # One UPDATE per distinct mark (usually two or three) rather than a CASE per row.
    groups: dict[tuple[int, int, bool | None, bool], list[int]] = {}
    for item in items:
        key = (item.credit_num, item.credit_den, item.is_correct, item.voided)
        groups.setdefault(key, []).append(item.pk)
    for (num, den, correct, voided), ids in groups.items():
        AttemptQuestion.objects.filter(pk__in=ids).update(
            credit_num=num, credit_den=den, is_correct=correct, voided=voided
        )
    was_passed = bool(attempt.passed)
    attempt.points_num, attempt.points_den = earned.numerator, earned.denominator
    attempt.points_possible = possible
    fraction = earned / possible if possible else Fraction(0)
    attempt.score_percent = scoring.percent(fraction)
    attempt.passed = scoring.passes(fraction, exam.pass_mark_percent)
    newly = bool(attempt.passed) and not was_passed
    if attempt.passed and attempt.counts_for_credential and attempt.pass_notified_at is None:
        attempt.pass_notified_at = timezone.now()
        _notify_pass(attempt)
    attempt.save(update_fields=[
        "points_num", "points_den", "points_possible", "score_percent", "passed",
        "pass_notified_at",
    ])
    return newly


def _notify_pass(attempt: Attempt) -> None:
    kwargs = {
        "attempt_id": attempt.pk,
        "user_id": attempt.user_id,
        "exam_id": attempt.exam_id,
        "score_percent": attempt.score_percent,
        "passed_at": attempt.submitted_at,
    }
    transaction.on_commit(lambda: attempt_passed.send(sender=Attempt, **kwargs))


def attempt_submit(*, attempt_id: int, user: User | None,
                   reason: str = SubmitReason.CANDIDATE, now: datetime | None = None) -> Attempt:
    """Close and score an attempt. Safe to call twice: a closed attempt is returned as it is.
    `user` is the candidate (only their own attempt) or None for the system."""
    with transaction.atomic():
        # `of=("self",)`: lock the attempt row only. A plain FOR UPDATE over the join locks the
        # exam row too, and every submit of a sitting then queues on that one row.
        qs = Attempt.objects.select_for_update(of=("self",)).select_related("exam", "sitting")
        if user is not None:
            qs = qs.filter(user=user)
        attempt = qs.get(pk=attempt_id)
        if attempt.state != AttemptState.OPEN:
            return attempt
        now = now or timezone.now()
        if now > attempt.deadline + grace_period():
            # The time ran out before this request came: the clock closed the attempt, whoever
            # asks now, so it ends as any deadline close does.
            reason = SubmitReason.DEADLINE
        attempt.state = AttemptState.SUBMITTED
        # An attempt closed by the clock ends at its deadline, not when the task ran.
        attempt.submitted_at = (
            min(now, attempt.deadline) if reason == SubmitReason.DEADLINE else now
        )
        attempt.submit_reason = reason
        attempt.save(update_fields=["state", "submitted_at", "submit_reason"])
        attempt_score(attempt)
        attempt_log(attempt,
                    AttemptEventKind.AUTO_SUBMIT if reason == SubmitReason.DEADLINE
                    else AttemptEventKind.SUBMIT,
                    user, score_percent=str(attempt.score_percent), passed=attempt.passed)
    return attempt


def attempt_close_if_expired(*, attempt: Attempt, now: datetime | None = None) -> Attempt:
    """The deadline rule, applied wherever an attempt is read or written (pages, API, save,
    submit, result, lists): an attempt still open after its deadline and grace period is closed
    first, exactly as beat's sweep closes it — submitted at the deadline with the answers saved
    by then, scored, a pass announced. Beat is the sweeper in production; without it (`make
    run`) this is what closes an abandoned attempt. Idempotent and row-locked (attempt_submit);
    `attempt` is refreshed in place and returned."""
    now = now or timezone.now()
    if attempt.state != AttemptState.OPEN or now <= attempt.deadline + grace_period():
        return attempt
    attempt_submit(attempt_id=attempt.pk, user=None, reason=SubmitReason.DEADLINE, now=now)
    attempt.refresh_from_db()
    return attempt


def attempts_submit_expired(*, now: datetime | None = None) -> int:
    """Submit every attempt still open after its deadline and grace period. Idempotent."""
    now = now or timezone.now()
    ids = list(
        Attempt.objects.filter(state=AttemptState.OPEN, deadline__lt=now - grace_period())
        .values_list("pk", flat=True)
    )
    for attempt_id in ids:
        attempt_submit(attempt_id=attempt_id, user=None, reason=SubmitReason.DEADLINE, now=now)
    return len(ids)
