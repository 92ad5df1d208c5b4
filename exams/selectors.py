"""Reads for views, the API and other apps.

`attempt_paper` is what a candidate sees while an attempt is open: it is built from an explicit
allow-list of fields and never touches correct keys, credits or explanations.

The one write a read may make: an attempt read after its deadline and grace period is closed
first (`services.attempt_close_if_expired`), so no page or answer ever shows it still open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from . import scoring, services
from .models import MODULE_NAMES, Attempt, AttemptQuestion, AttemptState, Exam


def attempt_for_user(*, attempt_id: int, user: Any, now: datetime | None = None) -> Attempt:
    """The attempt if it is this person's own (DoesNotExist, a 404, otherwise), closed first if
    its time ran out."""
    attempt = Attempt.objects.select_related("exam", "sitting").get(pk=attempt_id, user=user)
    return services.attempt_close_if_expired(attempt=attempt, now=now)


def seconds_remaining(attempt: Attempt, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def attempt_paper(attempt: Attempt, now: datetime | None = None) -> dict[str, Any]:
    """The candidate's view of an attempt: questions in paper order, options in the frozen
    shuffled order, their answers and flags. Nothing about which answer is right."""
    items = attempt.items.select_related("version").order_by("position")
    questions: list[dict[str, Any]] = []
    top_seq = 0
    for item in items:
        top_seq = max(top_seq, item.seq)
        texts = {o["key"]: o["text"] for o in item.version.options}
        questions.append({
            "position": item.position,
            "module": item.module_number,
            "module_name": str(MODULE_NAMES[item.module_number]),
            "kind": item.kind,
            "text": item.version.text,
            "options": [{"key": key, "text": texts[key]} for key in item.option_order],
            "selected": list(item.selected),
            "flagged": item.flagged,
            "seq": item.seq,
        })
    return {
        "attempt_id": attempt.pk,
        "exam_id": attempt.exam_id,
        "exam_title": attempt.exam.title,
        "state": attempt.state,
        "deadline": attempt.deadline,
        "seconds_remaining": seconds_remaining(attempt, now),
        "last_seq": top_seq,
        "questions": questions,
    }


@dataclass
class ModuleResult:
    number: int
    name: str
    earned: Fraction
    possible: int

    @property
    def percent(self) -> Decimal:
        return scoring.percent(self.earned / self.possible) if self.possible else Decimal("0.00")

    @property
    def earned_display(self) -> str:
        value = Decimal(self.earned.numerator) / Decimal(self.earned.denominator)
        return f"{value.quantize(Decimal('0.01')).normalize():f}"


@dataclass
class AttemptResult:
    attempt: Attempt
    modules: list[ModuleResult]
    review: list[dict[str, Any]] = field(default_factory=list)

    @property
    def points_display(self) -> str:
        earned = self.attempt.points_earned
        value = Decimal(earned.numerator) / Decimal(earned.denominator)
        return f"{value.quantize(Decimal('0.01')).normalize():f}"


def attempt_result(attempt: Attempt) -> AttemptResult:
    """Score, module breakdown and (when the exam allows, after closing) the review."""
    if attempt.state == AttemptState.OPEN:
        raise ValueError("An open attempt has no result yet")
    items = list(attempt.items.select_related("version").order_by("position"))
    by_module: dict[int, ModuleResult] = {}
    for item in items:
        if item.voided:
            continue
        module = by_module.setdefault(
            item.module_number,
            ModuleResult(item.module_number, str(MODULE_NAMES[item.module_number]), Fraction(0), 0),
        )
        module.earned += item.credit
        module.possible += 1
    review = []
    if attempt.exam.show_review:
        for item in items:
            texts = {o["key"]: o["text"] for o in item.version.options}
            review.append({
                "position": item.position,
                "module": item.module_number,
                "text": item.version.text,
                "options": [
                    {"key": k, "text": texts[k], "chosen": k in item.selected,
                     "correct": k in item.version.correct_keys}
                    for k in item.option_order
                ],
                "is_correct": item.is_correct,
                "voided": item.voided,
                "explanation": item.version.explanation,
            })
    return AttemptResult(attempt, [by_module[k] for k in sorted(by_module)], review)


def exams_for_candidate(user: Any, now: datetime | None = None) -> list[tuple[Exam, list[Attempt]]]:
    exams = list(Exam.objects.filter(is_published=True).prefetch_related("sittings"))
    attempts: dict[int, list[Attempt]] = {}
    if user.is_authenticated:
        for attempt in Attempt.objects.filter(user=user).order_by("number"):
            services.attempt_close_if_expired(attempt=attempt, now=now)
            attempts.setdefault(attempt.exam_id, []).append(attempt)
    return [(exam, attempts.get(exam.pk, [])) for exam in exams]


@dataclass
class CandidateExam:
    """One published exam as a candidate sees it on the exams page and in the API: their
    attempts so far and whether they may start it now (and if not, why)."""

    exam: Exam
    attempts: list[Attempt]
    check: services.Eligibility


def exams_with_eligibility(user: Any, now: datetime | None = None) -> list[CandidateExam]:
    now = now or timezone.now()
    return [
        CandidateExam(exam, attempts, services.eligibility(exam=exam, user=user, now=now))
        for exam, attempts in exams_for_candidate(user, now=now)
    ]


def attempts_of_user(user: Any, now: datetime | None = None) -> list[Attempt]:
    """A person's attempts at every exam, newest first (one closed first if its time ran out)."""
    attempts = list(
        Attempt.objects.filter(user=user).select_related("exam")
        .prefetch_related("appeals").order_by("-started_at", "-pk")
    )
    return [services.attempt_close_if_expired(attempt=a, now=now) for a in attempts]


def attempts_for_exam(exam: Exam) -> QuerySet[Attempt]:
    return exam.attempts.select_related("user").order_by("-started_at")


def passed_attempts_since(since: datetime) -> list[tuple[int, int, Decimal, datetime]]:
    """(attempt_id, user_id, score_percent, passed_at) of every passing eligible attempt
    submitted at or after `since`, or turned into a pass by a regrade since then:
    certification's reconciliation reads this. `passed_at` is the submission time, as in the
    `attempt_passed` signal."""
    rows = (
        Attempt.objects.filter(
            Q(submitted_at__gte=since) | Q(pass_notified_at__gte=since),
            state=AttemptState.SUBMITTED, passed=True, counts_for_credential=True,
        )
        .order_by("submitted_at", "pk")
        .values_list("pk", "user_id", "score_percent", "submitted_at")
    )
    return [
        (pk, user_id, score, at) for pk, user_id, score, at in rows
        if score is not None and at is not None
    ]


def last_seq(attempt_id: int) -> int:
    return AttemptQuestion.objects.filter(attempt_id=attempt_id).aggregate(m=Max("seq"))["m"] or 0
