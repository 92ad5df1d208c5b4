"""Candidate API (web exam page and the mini-program): the exams open to me and whether I may
sit them, start, paper, save, submit, result, my attempts, appeal a score.

Signed in either way `core.api_auth.signed_in` allows: the browser's session cookie (CSRF
checked) or an app's allauth session token (`X-Session-Token`). Another person's attempt is a
404. While an attempt is open no response carries correct answers, correctness or explanations
(the schemas below are the allow-list).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from ninja import Field, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError

from core.api_auth import signed_in
from core.api_errors import ErrorOut, form_error
from core.bounds import ObjectId, Sequence, SmallNumber
from core.typing import AuthenticatedHttpRequest

from . import selectors, services
from .errors import ExamError
from .forms import AppealForm
from .models import Appeal, Attempt, AttemptState, Exam

router = Router(tags=["exams"], auth=signed_in)


class OptionOut(Schema):
    key: str
    text: str


class PaperQuestionOut(Schema):
    position: int
    module: int
    module_name: str
    kind: str
    text: str
    options: list[OptionOut]
    selected: list[str]
    flagged: bool
    seq: int


class PaperOut(Schema):
    attempt_id: int
    exam_id: int
    exam_title: str
    state: str
    deadline: datetime
    seconds_remaining: int
    last_seq: int
    questions: list[PaperQuestionOut]


class SaveIn(Schema):
    selected: list[str]
    flagged: bool = False
    seq: Sequence


class SaveOut(Schema):
    applied: bool
    seq: int
    seconds_remaining: int


class ModuleResultOut(Schema):
    module: int
    name: str
    earned: str
    possible: int
    percent: Decimal


class ReviewPolicyOut(Schema):
    """What this result shows now under the exam's review policy, and when that changes."""

    score: bool
    modules: bool
    marks: bool
    key: bool
    sitting_closed: bool
    sitting_closes_at: datetime
    key_withheld_for_retake: bool


class ReviewOptionOut(Schema):
    key: str
    text: str
    chosen: bool
    correct: bool | None = None  # only when the key is shown


class ReviewQuestionOut(Schema):
    position: int
    module: int
    text: str
    options: list[ReviewOptionOut]
    is_correct: bool | None  # only when right/wrong is shown
    voided: bool
    explanation: str | None = None  # only when the key is shown


class ResultOut(Schema):
    attempt_id: int
    state: str
    passed: bool
    pass_mark_percent: Decimal
    submitted_at: datetime
    # Each of these is null while the review policy does not show it (see `review`).
    score_percent: Decimal | None
    points: str | None
    points_possible: int | None
    modules: list[ModuleResultOut] | None
    questions: list[ReviewQuestionOut] | None
    review: ReviewPolicyOut
    attempts_left: int
    retake_from: datetime | None


class SittingOut(Schema):
    starts_at: datetime
    ends_at: datetime


class AttemptSummaryOut(Schema):
    attempt_id: int
    exam_id: int
    number: int
    state: str
    started_at: datetime
    deadline: datetime
    submitted_at: datetime | None
    score_percent: Decimal | None = Field(description="Empty while the attempt is open")
    passed: bool | None = Field(description="Empty while the attempt is open")


class CandidateExamOut(Schema):
    exam_id: int
    title: str
    description: str
    duration_minutes: int
    pass_mark_percent: Decimal
    max_attempts: int
    attempts_used: int
    eligible: bool = Field(description="May start (or resume) an attempt now")
    reason: str = Field(description="Why not, in the caller's language (empty when eligible)")
    open_attempt_id: int | None = Field(description="The attempt to resume, if one is open")
    sittings: list[SittingOut]
    attempts: list[AttemptSummaryOut]


class AppealIn(Schema):
    reason: str


class AppealOut(Schema):
    id: int
    attempt_id: int
    state: str
    reason: str
    resolution: str
    created_at: datetime
    resolved_at: datetime | None


class MyAttemptOut(AttemptSummaryOut):
    exam_title: str
    appeals: list[AppealOut]


def _attempt_summary(attempt: Attempt) -> dict[str, Any]:
    closed = attempt.state != AttemptState.OPEN
    return {
        "attempt_id": attempt.pk, "exam_id": attempt.exam_id, "number": attempt.number,
        "state": attempt.state, "started_at": attempt.started_at, "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "score_percent": attempt.score_percent if closed else None,
        "passed": attempt.passed if closed else None,
    }


def _appeal_out(appeal: Appeal) -> AppealOut:
    return AppealOut(id=appeal.pk, attempt_id=appeal.attempt_id, state=appeal.state,
                     reason=appeal.reason, resolution=appeal.resolution,
                     created_at=appeal.created_at, resolved_at=appeal.resolved_at)


def _fail(exc: ExamError) -> HttpError:
    return HttpError(exc.status, " ".join(exc.messages))


def _attempt(request: AuthenticatedHttpRequest, attempt_id: int) -> Attempt:
    try:
        return selectors.attempt_for_user(attempt_id=attempt_id, user=request.user)
    except Attempt.DoesNotExist as exc:
        raise HttpError(404, _("Not found.")) from exc


def _published_exam(exam_id: int) -> Exam:
    exam = selectors.exam_published(exam_id=exam_id)
    if exam is None:
        raise HttpError(404, _("Not found."))
    return exam


def _result(attempt: Attempt) -> ResultOut:
    result = selectors.attempt_result(attempt)
    shown = result.visibility
    return ResultOut(
        attempt_id=attempt.pk, state=attempt.state, passed=bool(attempt.passed),
        pass_mark_percent=attempt.exam.pass_mark_percent,
        submitted_at=attempt.submitted_at,  # type: ignore[arg-type]
        score_percent=(attempt.score_percent or Decimal("0.00")) if shown.score else None,
        points=result.points_display if shown.score else None,
        points_possible=attempt.points_possible if shown.score else None,
        modules=[
            ModuleResultOut(module=m.number, name=m.name, earned=m.earned_display,
                            possible=m.possible, percent=m.percent)
            for m in result.modules
        ] if shown.modules else None,
        questions=([ReviewQuestionOut(**q) for q in result.review]
                   if shown.marks or shown.key else None),
        review=ReviewPolicyOut(
            score=shown.score, modules=shown.modules, marks=shown.marks, key=shown.key,
            sitting_closed=shown.sitting_closed, sitting_closes_at=shown.sitting_closes_at,
            key_withheld_for_retake=shown.key_withheld_for_retake,
        ),
        attempts_left=result.outlook.attempts_left,
        retake_from=result.outlook.retake_from,
    )


class ExamInfoOut(Schema):
    """An exam as the candidate sees it before starting: the rules page's facts."""

    exam_id: int
    title: str
    description: str
    duration_minutes: int  # with the person's extra time
    extra_minutes: int
    questions: int
    pass_mark_percent: Decimal
    max_attempts: int
    attempts_used: int
    attempts_left: int
    eligible: bool
    reason: str  # why not, when not eligible
    open_attempt_id: int | None
    sitting_ends_at: datetime | None
    ends_at_sitting_close: datetime | None  # starting now would end here, before the full time
    at_deadline: str
    honour_statement: str


@router.get("/", response=list[CandidateExamOut])
def exams_mine(request: AuthenticatedHttpRequest) -> list[CandidateExamOut]:
    """The published exams with, for each, my attempts and whether I may start it now; if not,
    why not (the exams page's own check: course completed, attempts left, retake wait, an open
    sitting)."""
    return [
        CandidateExamOut(
            exam_id=row.exam.pk, title=row.exam.title, description=row.exam.description,
            duration_minutes=row.exam.duration_minutes,
            pass_mark_percent=row.exam.pass_mark_percent, max_attempts=row.exam.max_attempts,
            attempts_used=len(row.attempts), eligible=row.check.ok,
            reason="" if row.check.ok else str(row.check.reason),
            open_attempt_id=row.check.open_attempt.pk if row.check.open_attempt else None,
            sittings=[SittingOut(starts_at=s.starts_at, ends_at=s.ends_at)
                      for s in row.exam.sittings.all()],
            attempts=[AttemptSummaryOut(**_attempt_summary(a)) for a in row.attempts],
        )
        for row in selectors.exams_with_eligibility(request.user)
    ]


@router.get("/attempts", response=list[MyAttemptOut])
def attempts_mine(request: AuthenticatedHttpRequest) -> list[MyAttemptOut]:
    """My attempts at every exam, newest first, with their score requests. The score, pass or
    fail and module breakdown of one: GET /attempts/{attempt_id}/result."""
    return [
        MyAttemptOut(**_attempt_summary(a), exam_title=a.exam.title,
                     appeals=[_appeal_out(appeal) for appeal in a.appeals.all()])
        for a in selectors.attempts_of_user(request.user)
    ]


# After the static paths above: ninja tries routes in order, and "attempts" is no exam id.
@router.get("/{exam_id}", response={200: ExamInfoOut, 404: ErrorOut})
def exam_info(request: AuthenticatedHttpRequest, exam_id: ObjectId) -> ExamInfoOut:
    """The rules before the clock starts: time, questions, pass mark, attempts left, what happens
    at the deadline and the honour statement the candidate accepts by starting."""
    exam = _published_exam(exam_id)
    rules = selectors.exam_rules(exam=exam, user=request.user)
    check = rules.eligibility
    return ExamInfoOut(
        exam_id=exam.pk, title=exam.title, description=exam.description,
        duration_minutes=rules.duration_minutes, extra_minutes=rules.extra_minutes,
        questions=rules.questions, pass_mark_percent=exam.pass_mark_percent,
        max_attempts=exam.max_attempts, attempts_used=check.attempts_used,
        attempts_left=rules.attempts_left, eligible=check.ok, reason=check.reason,
        open_attempt_id=check.open_attempt.pk if check.open_attempt else None,
        sitting_ends_at=check.sitting.ends_at if check.sitting else None,
        ends_at_sitting_close=rules.ends_at_sitting_close, at_deadline=rules.at_deadline,
        honour_statement=rules.honour_statement,
    )


@router.post("/{exam_id}/attempts", response={200: PaperOut, 201: PaperOut, 403: ErrorOut,
                                                400: ErrorOut})
@decorate_view(never_cache)
def attempt_start(request: AuthenticatedHttpRequest, exam_id: ObjectId) -> Status[PaperOut]:
    """Start an attempt (or resume the open one: 200 instead of 201)."""
    exam = _published_exam(exam_id)
    try:
        attempt, created = services.attempt_start(exam=exam, user=request.user)
    except ExamError as exc:
        raise _fail(exc) from exc
    return Status(201 if created else 200, PaperOut(**selectors.attempt_paper(attempt)))


@router.get("/attempts/{attempt_id}", response={200: PaperOut, 404: ErrorOut, 409: ErrorOut},
            url_name="exams_attempt_paper")
@decorate_view(never_cache)
def attempt_paper(request: AuthenticatedHttpRequest, attempt_id: ObjectId) -> PaperOut:
    """The paper without keys: questions, options in the frozen order, saved answers, clock.
    Never stored by a browser or proxy (`no-store`): a stale copy would show a live exam."""
    attempt = _attempt(request, attempt_id)
    if attempt.state != AttemptState.OPEN:
        raise HttpError(409, _("This attempt has been submitted: see its result."))
    return PaperOut(**selectors.attempt_paper(attempt))


@router.put("/attempts/{attempt_id}/answers/{position}",
            response={200: SaveOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
            url_name="exams_answer_save")
def answer_save(request: AuthenticatedHttpRequest, attempt_id: ObjectId, position: SmallNumber,
                payload: SaveIn) -> SaveOut:
    """Save one answer. `seq` increases with every save the client makes for this attempt; a
    save whose seq is not newer than the stored one is ignored (`applied: false`)."""
    try:
        result = services.attempt_answer_save(
            attempt_id=attempt_id, user=request.user, position=position,
            selected=payload.selected, flagged=payload.flagged, seq=payload.seq,
        )
    except Attempt.DoesNotExist as exc:
        raise HttpError(404, _("Not found.")) from exc
    except ExamError as exc:
        raise _fail(exc) from exc
    remaining = max(0, int((result.deadline - timezone.now()).total_seconds()))
    return SaveOut(applied=result.applied, seq=result.seq, seconds_remaining=remaining)


@router.post("/attempts/{attempt_id}/submit", response={200: ResultOut, 404: ErrorOut})
def attempt_submit(request: AuthenticatedHttpRequest, attempt_id: ObjectId) -> ResultOut:
    try:
        # Only the candidate's own attempt; one whose time ran out closes as the clock does.
        attempt = services.attempt_submit(attempt_id=attempt_id, user=request.user)
    except Attempt.DoesNotExist as exc:
        raise HttpError(404, _("Not found.")) from exc
    return _result(attempt)


@router.get("/attempts/{attempt_id}/result", response={200: ResultOut, 404: ErrorOut,
                                                       409: ErrorOut})
def attempt_result(request: AuthenticatedHttpRequest, attempt_id: ObjectId) -> ResultOut:
    attempt = _attempt(request, attempt_id)
    if attempt.state == AttemptState.OPEN:
        raise HttpError(409, _("The result is ready once the attempt is submitted."))
    return _result(attempt)


@router.post("/attempts/{attempt_id}/appeal", response={201: AppealOut, 400: ErrorOut,
                                                       404: ErrorOut})
def appeal_request(request: AuthenticatedHttpRequest, attempt_id: ObjectId,
                   payload: AppealIn) -> Status:
    """Ask for a review of a submitted attempt's score (one open request at a time), as on the
    result page."""
    attempt = _attempt(request, attempt_id)
    form = AppealForm({"reason": payload.reason})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        appeal = services.appeal_request(attempt_id=attempt.pk, user=request.user,
                                         reason=form.cleaned_data["reason"])
    except ExamError as exc:
        return Status(400, ErrorOut(code="refused", detail=" ".join(exc.messages)))
    return Status(201, _appeal_out(appeal))
