"""Every write of the exams app: the bank, attempts, scoring, accommodations, appeals, regrades."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import StandardItem
from core.services import audit_record

from . import scoring
from .errors import AttemptClosed, BlueprintUnfillable, ExamError, NotEligible, TooLate
from .models import (
    MODULE_NAMES,
    Accommodation,
    Appeal,
    AppealState,
    Attempt,
    AttemptEvent,
    AttemptEventKind,
    AttemptQuestion,
    AttemptState,
    Exam,
    Question,
    QuestionKind,
    QuestionVersion,
    Sitting,
    SubmitReason,
)
from .signals import attempt_pass_withdrawn, attempt_passed

_random = secrets.SystemRandom()


def grace_period() -> timedelta:
    return timedelta(seconds=getattr(settings, "EXAMS_GRACE_SECONDS", 15))


# --- The question bank ------------------------------------------------------------------------


def _validate_content(*, kind: str, options: list[dict[str, str]], correct_keys: list[str]) -> None:
    keys = [o["key"] for o in options]
    if len(set(keys)) != len(keys) or len(keys) < 2:
        raise ExamError(_("A question needs at least two options with different keys."))
    if not correct_keys or not set(correct_keys) <= set(keys):
        raise ExamError(_("The correct answer must name one or more of the options."))
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and len(correct_keys) != 1:
        raise ExamError(_("Single-choice and true/false questions have exactly one right answer."))
    if kind == QuestionKind.TRUE_FALSE and len(keys) != 2:
        raise ExamError(_("A true/false question has exactly two options."))


def question_item_check(*, item: StandardItem | None, module_number: int) -> None:
    """A question is drawn in its module, so the item it tests must be of that module."""
    if item is not None and item.module.number != module_number:
        raise ExamError(
            _("Item %(code)s belongs to module %(item_module)d; the question is in module "
              "%(module)d.")
            % {"code": item.code, "item_module": item.module.number, "module": module_number}
        )


@transaction.atomic
def question_save(
    *,
    code: str,
    module_number: int,
    kind: str,
    text: str,
    options: list[dict[str, str]],
    correct_keys: list[str],
    explanation: str = "",
    item: StandardItem | None = None,
    is_active: bool = True,
    actor: Any = None,
) -> tuple[Question, bool]:
    """Create a question, or give an existing one (same code) a new version when its content
    changed. Returns (question, changed). Past attempts keep pointing at their old version.

    `item` is the standard's item the question tests (`cms.selectors.items_by_code` finds it);
    the question is drawn in that item's module. Naming an item clears the unmatched text the
    migration to item keys kept; leaving it out keeps that text for the exam admins to see."""
    _validate_content(kind=kind, options=options, correct_keys=correct_keys)
    question_item_check(item=item, module_number=module_number)
    correct_keys = sorted(correct_keys)
    item_id = item.pk if item is not None else None
    question = Question.objects.select_for_update().filter(code=code).first()
    if question is None:
        question = Question.objects.create(
            code=code, module_number=module_number, kind=kind, item=item, is_active=is_active,
        )
        current = None
    else:
        current = question.current_version
    changed = current is None or (
        current.text, current.options, sorted(current.correct_keys), current.explanation
    ) != (text, options, correct_keys, explanation)
    meta_changed = (
        question.module_number, question.kind, question.item_id, question.is_active,
    ) != (module_number, kind, item_id, is_active)
    if changed:
        number = (current.number + 1) if current else 1
        question.current_version = QuestionVersion.objects.create(
            question=question, number=number, text=text, options=options,
            correct_keys=correct_keys, explanation=explanation,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
    if changed or meta_changed:
        question.module_number, question.kind = module_number, kind
        question.item = item
        if item is not None:
            question.legacy_item_code = question.legacy_standard_version = ""
        question.is_active = is_active
        question.save()
    return question, changed or meta_changed


# --- Blueprints -------------------------------------------------------------------------------


def _available_counts() -> dict[tuple[int, str], int]:
    rows = (
        Question.objects.filter(is_active=True, voided_at__isnull=True,
                                current_version__isnull=False)
        .values_list("module_number", "kind")
        .annotate(n=Count("id"))
    )
    return {(module, kind): n for module, kind, n in rows}


def blueprint_check(*, rules: list[tuple[int, str, int]]) -> None:
    """Raise BlueprintUnfillable naming each module the active bank cannot fill.

    `rules` are (module_number, kind or "" for any type, count)."""
    available = _available_counts()
    problems = []
    for module in sorted({m for m, _k, _c in rules}):
        module_rules = [(k, c) for m, k, c in rules if m == module]
        have = {k: n for (m, k), n in available.items() if m == module}
        short = []
        for kind, count in module_rules:
            if kind and have.get(kind, 0) < count:
                short.append(
                    _("%(kind)s: needs %(need)d, the bank has %(have)d")
                    % {"kind": QuestionKind(kind).label, "need": count, "have": have.get(kind, 0)}
                )
        need_total = sum(c for _k, c in module_rules)
        have_total = sum(have.values())
        if not short and need_total > have_total:
            short.append(
                _("needs %(need)d questions in all, the bank has %(have)d")
                % {"need": need_total, "have": have_total}
            )
        if short:
            problems.append(
                _("Module %(n)d (%(name)s) lacks questions: %(detail)s")
                % {"n": module, "name": MODULE_NAMES[module], "detail": "; ".join(short)}
            )
    if problems:
        raise BlueprintUnfillable(problems)


def _exam_rules(exam: Exam) -> list[tuple[int, str, int]]:
    return [(r.module_number, r.kind, r.count) for r in exam.blueprint.all()]


@dataclass
class _PoolQuestion:
    pk: int
    module_number: int
    kind: str
    version_id: int
    option_keys: list[str]


def _draw_paper(exam: Exam) -> list[_PoolQuestion]:
    """Draw questions by the blueprint: typed rules first, then 'any type' from what is left.
    The pool is read as plain values (no model instances): this runs on every start."""
    rules = sorted(_exam_rules(exam), key=lambda r: (r[1] == "", r[0]))
    if not rules:
        raise BlueprintUnfillable(_("This exam has no blueprint yet."))
    blueprint_check(rules=rules)
    pool = [
        _PoolQuestion(pk, module, kind, version_id, [o["key"] for o in options])
        for pk, module, kind, version_id, options in Question.objects.filter(
            is_active=True, voided_at__isnull=True, current_version__isnull=False,
            module_number__in={r[0] for r in rules},
        ).values_list("pk", "module_number", "kind", "current_version_id",
                      "current_version__options")
    ]
    chosen: list[_PoolQuestion] = []
    taken: set[int] = set()
    for module, kind, count in rules:
        candidates = [
            q for q in pool
            if q.module_number == module and q.pk not in taken and (not kind or q.kind == kind)
        ]
        picked = _random.sample(candidates, count)
        taken.update(q.pk for q in picked)
        chosen.extend(picked)
    _random.shuffle(chosen)
    return chosen


# --- Eligibility and the clock ----------------------------------------------------------------


def _course_completed(*, user: Any, exam: Exam) -> bool:
    from lms.selectors import course_completed

    return course_completed(user=user, course_id=exam.course_id)  # type: ignore[attr-defined]


def accommodation_minutes(*, exam_id: int, user_id: int) -> int:
    total = Accommodation.objects.filter(exam_id=exam_id, user_id=user_id).aggregate(
        total=Sum("extra_minutes")
    )["total"]
    return int(total or 0)


def attempt_deadline(*, exam: Exam, sitting: Sitting, started_at: datetime, extra: int
                     ) -> datetime:
    """When an attempt started at `started_at` in `sitting` ends."""
    deadline = started_at + timedelta(minutes=exam.duration_minutes + extra)
    if exam.cap_deadline_at_window_end:
        # Extra time granted to a person extends the window's end for them too.
        deadline = min(deadline, sitting.ends_at + timedelta(minutes=extra))
    return deadline


@dataclass
class Eligibility:
    ok: bool
    reason: str = ""
    sitting: Sitting | None = None
    attempts_used: int = 0
    open_attempt: Attempt | None = None
    already_passed: bool = False


def eligibility(*, exam: Exam, user: Any, now: datetime | None = None) -> Eligibility:
    """Whether `user` may start `exam` now, and if not, why (in words they understand)."""
    now = now or timezone.now()
    attempts = list(Attempt.objects.filter(exam=exam, user=user).order_by("-number"))
    for attempt in attempts:
        # An abandoned attempt past its deadline is over, not one to resume.
        attempt_close_if_expired(attempt=attempt, now=now)
    open_attempt = next((a for a in attempts if a.state == AttemptState.OPEN), None)
    if open_attempt is not None:
        return Eligibility(True, sitting=open_attempt.sitting, attempts_used=len(attempts),
                           open_attempt=open_attempt)
    if not exam.is_published:
        return Eligibility(False, _("This exam is not open."))
    if not _course_completed(user=user, exam=exam):
        return Eligibility(False, _("You can sit this exam once you have completed the course."))
    if any(a.passed for a in attempts):
        return Eligibility(False, _("You have already passed this exam."),
                           attempts_used=len(attempts), already_passed=True)
    if len(attempts) >= exam.max_attempts:
        return Eligibility(False, _("You have used all %(n)d attempts allowed.")
                           % {"n": exam.max_attempts}, attempts_used=len(attempts))
    if attempts and attempts[0].submitted_at:
        wait_until = attempts[0].submitted_at + timedelta(hours=exam.retake_wait_hours)
        if now < wait_until:
            return Eligibility(
                False,
                _("You may retake this exam from %(when)s.")
                % {"when": timezone.localtime(wait_until).strftime("%Y-%m-%d %H:%M")},
                attempts_used=len(attempts),
            )
    sitting = exam.sittings.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at").first()
    if sitting is None:
        return Eligibility(False, _("No sitting of this exam is open now."),
                           attempts_used=len(attempts))
    return Eligibility(True, sitting=sitting, attempts_used=len(attempts))


def _log(attempt: Attempt | int, kind: str, actor: Any = None, **data: Any) -> None:
    AttemptEvent.objects.create(
        attempt_id=attempt if isinstance(attempt, int) else attempt.pk,
        kind=kind,
        actor_id=getattr(actor, "pk", None) if actor is not None else None,
        data=data,
    )


def attempt_start(*, exam: Exam, user: Any, honour_accepted: bool = False
                  ) -> tuple[Attempt, bool]:
    """Start an attempt, or return the one already open (parallel requests included).
    `honour_accepted`: the candidate ticked the honour statement on the rules page (logged).

    Returns (attempt, created)."""
    now = timezone.now()
    check = eligibility(exam=exam, user=user, now=now)
    if check.open_attempt is not None:
        return check.open_attempt, False
    if not check.ok:
        raise NotEligible(check.reason)
    assert check.sitting is not None
    paper = _draw_paper(exam)
    try:
        with transaction.atomic():
            extra = accommodation_minutes(exam_id=exam.pk, user_id=user.pk)
            attempt = Attempt.objects.create(
                exam=exam, user=user, sitting=check.sitting, number=check.attempts_used + 1,
                started_at=now,
                deadline=attempt_deadline(exam=exam, sitting=check.sitting, started_at=now,
                                          extra=extra),
            )
            items = []
            for position, question in enumerate(paper, start=1):
                order = list(question.option_keys)
                if question.kind != QuestionKind.TRUE_FALSE:
                    _random.shuffle(order)
                items.append(AttemptQuestion(
                    attempt=attempt, position=position, question_id=question.pk,
                    version_id=question.version_id, module_number=question.module_number,
                    kind=question.kind, option_order=order,
                ))
            AttemptQuestion.objects.bulk_create(items)
            _log(attempt, AttemptEventKind.START, user, sitting=check.sitting.pk,
                 deadline=attempt.deadline.isoformat(), extra_minutes=extra,
                 questions=len(items), honour_accepted=honour_accepted)
    except IntegrityError:
        # Another request of the same person won the race: theirs is the open attempt.
        existing = Attempt.objects.filter(exam=exam, user=user, state=AttemptState.OPEN).first()
        if existing is None:
            raise
        return existing, False
    return attempt, True


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


def _answer_save_fast(*, attempt_id: int, user: Any, position: int, chosen: list[str],
                      flagged: bool, seq: int, now: datetime) -> SaveResult | None:
    params = {
        "attempt": attempt_id, "user": user.pk, "cutoff": now - grace_period(),
        "position": position, "selected": json.dumps(chosen), "flagged": flagged, "seq": seq,
        "now": now,
        "data": json.dumps({"position": position, "seq": seq, "selected": chosen,
                            "flagged": flagged}),
        "stale_data": json.dumps({"position": position, "seq": seq}),
    }
    with connection.cursor() as cursor:
        cursor.execute(_FAST_SAVE_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return SaveResult(applied=row[0] == AttemptEventKind.SAVE, seq=seq, deadline=row[1])


def attempt_answer_save(
    *, attempt_id: int, user: Any, position: int, selected: list[str], flagged: bool, seq: int,
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
            _log(attempt, AttemptEventKind.SAVE_REJECTED, user, position=position, seq=seq)
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
                _log(attempt, AttemptEventKind.SAVE, user, position=position, seq=seq,
                     selected=chosen, flagged=flagged)
            else:
                _log(attempt, AttemptEventKind.SAVE_IGNORED, user, position=position, seq=seq)
    if late:
        # Raised after the block commits, so the rejected save stays in the attempt log.
        raise TooLate(_("Time is up: this answer arrived after the deadline and was not saved."))
    return SaveResult(applied=bool(updated), seq=seq, deadline=attempt.deadline)


def _score(attempt: Attempt) -> bool:
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


def attempt_submit(*, attempt_id: int, user: Any | None,
                   reason: str = SubmitReason.CANDIDATE, now: datetime | None = None) -> Attempt:
    """Close and score an attempt. Safe to call twice: a closed attempt is returned as it is.
    `user` is the candidate (only their own attempt) or None for the system."""
    with transaction.atomic():
        # `of=("self",)`: lock the attempt row only. A plain FOR UPDATE over the join locks the
        # exam row too, and every submit of a sitting then queues on that one row.
        qs = Attempt.objects.select_for_update(of=("self",)).select_related("exam")
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
        _score(attempt)
        _log(attempt,
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


# --- Accommodations, appeals, regrades ---------------------------------------------------------


@transaction.atomic
def accommodation_grant(*, exam: Exam, user: Any, extra_minutes: int, reason: str,
                        granted_by: Any) -> Accommodation:
    """Give a person extra time for an exam, before or during an attempt."""
    if extra_minutes < 1:
        raise ExamError(_("Extra time must be at least one minute."))
    if not reason.strip():
        raise ExamError(_("Give the reason for the extra time."))
    accommodation = Accommodation.objects.create(
        exam=exam, user=user, extra_minutes=extra_minutes, reason=reason, granted_by=granted_by
    )
    total = accommodation_minutes(exam_id=exam.pk, user_id=user.pk)
    for attempt in Attempt.objects.select_for_update(of=("self",)).select_related("sitting").filter(
        exam=exam, user=user, state=AttemptState.OPEN
    ):
        old = attempt.deadline
        attempt.deadline = attempt_deadline(exam=exam, sitting=attempt.sitting,
                                            started_at=attempt.started_at, extra=total)
        attempt.save(update_fields=["deadline"])
        _log(attempt, AttemptEventKind.ACCOMMODATION, granted_by, extra_minutes=extra_minutes,
             reason=reason, old_deadline=old.isoformat(), deadline=attempt.deadline.isoformat())
    audit_record(actor=granted_by, action="exams.accommodation.granted", target=user,
                 reason=reason, data={"exam": exam.pk, "extra_minutes": extra_minutes})
    return accommodation


@transaction.atomic
def appeal_request(*, attempt_id: int, user: Any, reason: str) -> Appeal:
    attempt = Attempt.objects.select_for_update().get(pk=attempt_id, user=user)
    if attempt.state == AttemptState.OPEN:
        raise ExamError(_("You can ask for a review once the attempt is submitted."))
    if not reason.strip():
        raise ExamError(_("Say what you would like reviewed."))
    if attempt.appeals.filter(state=AppealState.OPEN).exists():
        raise ExamError(_("A review of this attempt is already under way."))
    appeal = Appeal.objects.create(attempt=attempt, reason=reason.strip())
    _log(attempt, AttemptEventKind.APPEAL, user, appeal=appeal.pk, reason=appeal.reason)
    return appeal


@transaction.atomic
def appeal_resolve(*, appeal_id: int, state: str, resolution: str, resolved_by: Any) -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("attempt").get(pk=appeal_id)
    if appeal.state != AppealState.OPEN:
        raise ExamError(_("This review has already been resolved."))
    if state not in (AppealState.UPHELD, AppealState.REJECTED):
        raise ExamError(_("Choose whether the request is upheld or rejected."))
    if not resolution.strip():
        raise ExamError(_("Explain the decision to the candidate."))
    appeal.state, appeal.resolution = state, resolution.strip()
    appeal.resolved_by, appeal.resolved_at = resolved_by, timezone.now()
    appeal.save()
    _log(appeal.attempt, AttemptEventKind.APPEAL_RESOLVED, resolved_by, appeal=appeal.pk,
         state=state, resolution=appeal.resolution)
    audit_record(actor=resolved_by, action=f"exams.appeal.{state}", target=appeal.attempt,
                 reason=appeal.resolution, data={"appeal": appeal.pk})
    return appeal


def attempt_regrade(*, attempt_id: int, actor: Any, reason: str) -> Attempt:
    """Recompute an attempt's score from its frozen paper (after a question was voided)."""
    with transaction.atomic():
        attempt = (Attempt.objects.select_for_update(of=("self",)).select_related("exam")
                   .get(pk=attempt_id))
        if attempt.state == AttemptState.OPEN:
            return attempt
        before = (str(attempt.score_percent), attempt.passed)
        _score(attempt)
        after = (str(attempt.score_percent), attempt.passed)
        if before != after:
            _log(attempt, AttemptEventKind.REGRADE, actor, reason=reason,
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


def question_void(*, question: Question, actor: Any, reason: str) -> int:
    """Void a flawed question: it no longer counts in any attempt, and every submitted attempt
    that contains it is regraded. Returns the number of attempts regraded."""
    if not reason.strip():
        raise ExamError(_("Give the reason for voiding the question."))
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=question.pk)
        if question.voided_at is None:
            question.voided_at = timezone.now()
            question.is_active = False
            question.save(update_fields=["voided_at", "is_active"])
            audit_record(actor=actor, action="exams.question.voided", target=question,
                         reason=reason)
    attempt_ids = list(
        AttemptQuestion.objects.filter(question=question, attempt__state=AttemptState.SUBMITTED)
        .values_list("attempt_id", flat=True)
    )
    for attempt_id in attempt_ids:
        attempt_regrade(attempt_id=attempt_id, actor=actor, reason=reason)
    return len(attempt_ids)
