"""Reads for views, the API and other apps.

`attempt_paper` is what a candidate sees while an attempt is open: it is built from an explicit
allow-list of fields and never touches correct keys, credits or explanations.

The one write a read may make: an attempt read after its deadline and grace period is closed
first (`services.attempt_close_if_expired`), so no page or answer ever shows it still open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User

from . import scoring, services
from .models import (
    MODULE_LABELS,
    Accommodation,
    Appeal,
    AppealState,
    Attempt,
    AttemptQuestion,
    AttemptState,
    Exam,
    Question,
    QuestionVersion,
)


def exam_published(*, exam_id: int) -> Exam | None:
    """An exam a candidate may open (its rules page, starting it); None when it does not exist
    or is not published."""
    try:
        return Exam.objects.get(pk=exam_id, is_published=True)
    except Exam.DoesNotExist:
        return None


def exam_get(*, exam_id: int) -> Exam | None:
    """Any exam, published or not, for its admins' pages."""
    try:
        return Exam.objects.get(pk=exam_id)
    except Exam.DoesNotExist:
        return None


def attempt_for_user(*, attempt_id: int, user: User, now: datetime | None = None) -> Attempt:
    """The attempt if it is this person's own (DoesNotExist, a 404, otherwise), closed first if
    its time ran out."""
    attempt = Attempt.objects.select_related("exam", "sitting").get(pk=attempt_id, user=user)
    return services.attempt_close_if_expired(attempt=attempt, now=now)


def seconds_remaining(attempt: Attempt, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def _paper_items(attempt: Attempt) -> Iterable[AttemptQuestion]:
    """The attempt's questions with their versions, in paper order: those it holds in memory
    (`Attempt.paper_items`) or read now."""
    held = getattr(attempt, "paper_items", None)
    if held is not None:
        return held
    return attempt.items.select_related("version").order_by("position")


def attempt_paper(attempt: Attempt, now: datetime | None = None) -> dict[str, Any]:
    """The candidate's view of an attempt: questions in paper order, options in the frozen
    shuffled order, their answers and flags. Nothing about which answer is right."""
    questions: list[dict[str, Any]] = []
    top_seq = 0
    for item in _paper_items(attempt):
        top_seq = max(top_seq, item.seq)
        texts = {o["key"]: o["text"] for o in item.version.options}
        questions.append({
            "position": item.position,
            "module": item.module_number,
            "module_name": str(MODULE_LABELS[item.module_number]),
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


@dataclass(frozen=True)
class ReviewVisibility:
    """What the candidate may see of a submitted attempt now, under the exam's review policy."""

    score: bool
    modules: bool
    marks: bool  # right or wrong per question
    key: bool  # right answers and explanations
    sitting_closed: bool
    sitting_closes_at: datetime
    # The policy shows the key (now or after the close), but not to this candidate while they
    # may still retake the exam.
    key_withheld_for_retake: bool = False


@dataclass(frozen=True)
class RetakeOutlook:
    attempts_used: int
    attempts_left: int
    # The earliest time a new attempt may start (retake wait and the next sitting); None when
    # there is no retake (passed, no attempts left) or no sitting is scheduled after the wait.
    retake_from: datetime | None
    no_sitting_scheduled: bool = False


def retake_outlook(attempt: Attempt, now: datetime | None = None) -> RetakeOutlook:
    """How many attempts the candidate has left at this exam and when they may start the next."""
    now = now or timezone.now()
    exam = attempt.exam
    attempts = list(Attempt.objects.filter(exam_id=exam.pk, user_id=attempt.user_id)
                    .values_list("passed", "submitted_at"))
    used = len(attempts)
    left = 0 if any(passed for passed, _at in attempts) else max(0, exam.max_attempts - used)
    if not left:
        return RetakeOutlook(used, 0, None)
    last = max((at for _p, at in attempts if at is not None), default=now)
    earliest = max(now, last + timedelta(hours=exam.retake_wait_hours))
    next_start = (exam.sittings.filter(ends_at__gt=earliest).order_by("starts_at")
                  .values_list("starts_at", flat=True).first())
    if next_start is None:
        return RetakeOutlook(used, left, None, no_sitting_scheduled=True)
    return RetakeOutlook(used, left, max(earliest, next_start))


def review_visibility(attempt: Attempt, now: datetime | None = None,
                      outlook: RetakeOutlook | None = None) -> ReviewVisibility:
    """The one rule for what of a submitted attempt reaches its candidate (pages, API, lists).

    Right after the attempt the exam's "after the attempt" options apply; once the attempt's
    sitting has closed, those and the "after the sitting closes" options. Whatever the policy,
    the key (right answers, explanations) stays hidden from a candidate who failed and still
    has attempts left: they would sit the same bank again (ISO/IEC 17024 item exposure)."""
    now = now or timezone.now()
    exam = attempt.exam
    closes_at = attempt.sitting.ends_at
    closed = now >= closes_at
    score = exam.review_score_after_attempt or (closed and exam.review_score_after_close)
    modules = exam.review_modules_after_attempt or (closed and exam.review_modules_after_close)
    marks = exam.review_marks_after_attempt or (closed and exam.review_marks_after_close)
    key = exam.review_key_after_attempt or (closed and exam.review_key_after_close)
    withheld = False
    if (exam.review_key_after_attempt or exam.review_key_after_close) and not attempt.passed:
        outlook = outlook or retake_outlook(attempt, now)
        if outlook.attempts_left:
            key, withheld = False, True
    return ReviewVisibility(score=score, modules=modules, marks=marks, key=key,
                            sitting_closed=closed, sitting_closes_at=closes_at,
                            key_withheld_for_retake=withheld)


@dataclass
class AttemptResult:
    attempt: Attempt
    visibility: ReviewVisibility
    outlook: RetakeOutlook
    modules: list[ModuleResult]
    review: list[dict[str, Any]] = field(default_factory=list)

    @property
    def points_display(self) -> str:
        earned = self.attempt.points_earned
        value = Decimal(earned.numerator) / Decimal(earned.denominator)
        return f"{value.quantize(Decimal('0.01')).normalize():f}"


def attempt_result(attempt: Attempt, now: datetime | None = None) -> AttemptResult:
    """Pass or fail, attempts left and the retake date, and of the score, module breakdown,
    right/wrong and key only what `review_visibility` allows now (the rest is not even read)."""
    if attempt.state == AttemptState.OPEN:
        raise ValueError("An open attempt has no result yet")
    now = now or timezone.now()
    outlook = retake_outlook(attempt, now)
    visibility = review_visibility(attempt, now, outlook)
    modules: list[ModuleResult] = []
    review: list[dict[str, Any]] = []
    if visibility.modules or visibility.marks or visibility.key:
        items = list(attempt.items.select_related("version").order_by("position"))
        by_module: dict[int, ModuleResult] = {}
        for item in items:
            if item.voided:
                continue
            module = by_module.setdefault(
                item.module_number,
                ModuleResult(item.module_number, str(MODULE_LABELS[item.module_number]),
                             Fraction(0), 0),
            )
            module.earned += item.credit
            module.possible += 1
        if visibility.modules:
            modules = [by_module[k] for k in sorted(by_module)]
        if visibility.marks or visibility.key:
            review = [_review_item(item, marks=visibility.marks, key=visibility.key)
                      for item in items]
    return AttemptResult(attempt, visibility, outlook, modules, review)


def _review_item(item: AttemptQuestion, *, marks: bool, key: bool) -> dict[str, Any]:
    """One question of the review: the candidate's answer; right/wrong only with `marks`, the
    right answers and the explanation only with `key`."""
    texts = {o["key"]: o["text"] for o in item.version.options}
    return {
        "position": item.position,
        "module": item.module_number,
        "text": item.version.text,
        "options": [
            {"key": k, "text": texts[k], "chosen": k in item.selected,
             "correct": (k in item.version.correct_keys) if key else None}
            for k in item.option_order
        ],
        "is_correct": item.is_correct if marks else None,
        "voided": item.voided,
        "explanation": item.version.explanation if key else None,
    }


HONOUR_STATEMENT = gettext_lazy(
    "I will sit this exam on my own, without help from anyone and without notes, books or "
    "other materials, and I will not copy, record or share its questions."
)


@dataclass
class ExamRules:
    """What a candidate is told before the clock starts (the rules page and the API)."""

    exam: Exam
    eligibility: services.Eligibility
    questions: int
    duration_minutes: int  # with the person's extra time
    extra_minutes: int
    attempts_left: int
    # Starting now would end at the sitting's close, before the full duration.
    ends_at_sitting_close: datetime | None
    honour_statement: str

    @property
    def at_deadline(self) -> str:
        return str(_("When the time is up, your paper is submitted automatically with the answers "
                     "saved by then. Every answer is saved as soon as you choose it."))


def exam_rules(*, exam: Exam, user: User, now: datetime | None = None) -> ExamRules:
    now = now or timezone.now()
    check = services.eligibility(exam=exam, user=user, now=now)
    extra = services.accommodation_minutes(exam_id=exam.pk, user_id=user.pk)
    questions = exam.blueprint.aggregate(n=Sum("count"))["n"] or 0
    ends_early = None
    if check.sitting is not None and check.open_attempt is None:
        deadline = services.attempt_deadline(exam=exam, sitting=check.sitting, started_at=now,
                                             extra=extra)
        if deadline < now + timedelta(minutes=exam.duration_minutes + extra):
            ends_early = deadline
    used = check.attempts_used
    return ExamRules(
        exam=exam, eligibility=check, questions=questions,
        duration_minutes=exam.duration_minutes + extra, extra_minutes=extra,
        attempts_left=0 if check.already_passed else max(0, exam.max_attempts - used),
        ends_at_sitting_close=ends_early, honour_statement=str(HONOUR_STATEMENT),
    )


def exams_for_candidate(user: User,
                        now: datetime | None = None) -> list[tuple[Exam, list[Attempt]]]:
    exams = list(Exam.objects.filter(is_published=True).prefetch_related("sittings"))
    attempts: dict[int, list[Attempt]] = {}
    if user.is_authenticated:
        for attempt in (Attempt.objects.filter(user=user).select_related("exam", "sitting")
                        .order_by("number")):
            services.attempt_close_if_expired(attempt=attempt, now=now)
            # Lists show a score only where the result page would (the review policy).
            attempt.score_shown = (  # type: ignore[attr-defined]
                attempt.state == AttemptState.SUBMITTED and review_visibility(attempt, now).score)
            attempts.setdefault(attempt.exam_id, []).append(attempt)
    return [(exam, attempts.get(exam.pk, [])) for exam in exams]


@dataclass
class CandidateExam:
    """One published exam as a candidate sees it on the exams page and in the API: their
    attempts so far and whether they may start it now (and if not, why)."""

    exam: Exam
    attempts: list[Attempt]
    check: services.Eligibility


def exams_with_eligibility(user: User, now: datetime | None = None) -> list[CandidateExam]:
    now = now or timezone.now()
    return [
        CandidateExam(exam, attempts, services.eligibility(exam=exam, user=user, now=now))
        for exam, attempts in exams_for_candidate(user, now=now)
    ]


def attempts_of_user(user: User, now: datetime | None = None) -> list[Attempt]:
    """A person's attempts at every exam, newest first (one closed first if its time ran out)."""
    attempts = list(
        Attempt.objects.filter(user=user).select_related("exam")
        .prefetch_related("appeals").order_by("-started_at", "-pk")
    )
    return [services.attempt_close_if_expired(attempt=a, now=now) for a in attempts]


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


class QuestionStatus:
    ACTIVE = "active"
    RETIRED = "retired"
    VOIDED = "voided"


def questions_browse(*, module: int | None = None, item: str = "", kind: str = "",
                     status: str = "", search: str = "") -> QuerySet[Question]:
    """The question bank for exam admins, filtered; each row carries its current version (one
    query per page, whatever its length)."""
    questions = Question.objects.select_related("current_version", "item").order_by(
        "module_number", "code")
    if module:
        questions = questions.filter(module_number=module)
    if item:
        questions = questions.filter(item__code__startswith=item)
    if kind:
        questions = questions.filter(kind=kind)
    if status == QuestionStatus.ACTIVE:
        questions = questions.filter(is_active=True, voided_at__isnull=True)
    elif status == QuestionStatus.RETIRED:
        questions = questions.filter(is_active=False)
    elif status == QuestionStatus.VOIDED:
        questions = questions.filter(voided_at__isnull=False)
    if search:
        questions = questions.filter(Q(code__icontains=search)
                                     | Q(current_version__text__icontains=search))
    return questions


@dataclass(frozen=True)
class ExamsOverview:
    """The exam admins' start page: every exam with its course, the score reviews awaiting a
    decision and the size of the bank."""

    exams: list[Exam]
    appeals_open: int
    questions_in_use: int


def exams_overview() -> ExamsOverview:
    return ExamsOverview(
        exams=list(Exam.objects.select_related("course").order_by("title")),
        appeals_open=Appeal.objects.filter(state=AppealState.OPEN).count(),
        questions_in_use=Question.objects.filter(is_active=True).count(),
    )


@dataclass(frozen=True)
class QuestionDetail:
    """One question as candidates see it, with its key, for exam admins: `options` in the
    written order, each with `correct`; every version, newest first."""

    question: Question
    current: QuestionVersion | None
    options: list[dict[str, Any]]
    versions: list[QuestionVersion]


def question_detail(*, question_id: int) -> QuestionDetail | None:
    try:
        question = Question.objects.select_related("current_version", "item").get(
            pk=question_id)
    except Question.DoesNotExist:
        return None
    current = question.current_version
    options = [] if current is None else [
        {"key": o["key"], "text": o["text"], "correct": o["key"] in current.correct_keys}
        for o in current.options
    ]
    versions = list(question.versions.select_related("created_by").order_by("-number"))
    return QuestionDetail(question=question, current=current, options=options,
                          versions=versions)


def question_by_code(*, code: str) -> Question | None:
    return Question.objects.filter(code=code).first()


def accommodations_of_exam(*, exam: Exam) -> QuerySet[Accommodation]:
    """The extra time granted at an exam, with whom it is for and who granted it."""
    return exam.accommodations.select_related("user", "granted_by")


def appeals_of_attempt(*, attempt: Attempt) -> QuerySet[Appeal]:
    """The score reviews a candidate asked for on one attempt, newest first."""
    return attempt.appeals.all()


APPEALS_LISTED_MAX = 200


def appeals_for_staff() -> list[Appeal]:
    """The newest score reviews (open and decided) with their candidate, exam and decider."""
    return list(Appeal.objects.select_related("attempt__user", "attempt__exam", "resolved_by")
                [:APPEALS_LISTED_MAX])
