"""Starting an attempt: eligibility checked, a paper drawn, options shuffled, the deadline
set."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User

from ..eligibility import eligibility
from ..errors import NotEligible
from ..models import Attempt, AttemptEventKind, AttemptQuestion, AttemptState, Exam, QuestionKind
from .blueprint import paper_draw, paper_random
from .clock import accommodation_minutes, attempt_deadline
from .events import attempt_log


def attempt_start(*, exam: Exam, user: User, honour_accepted: bool = False
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
    paper, versions = paper_draw(exam)
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
                version = versions[question.version_id]
                order = [option["key"] for option in version.options]
                if question.kind != QuestionKind.TRUE_FALSE:
                    paper_random.shuffle(order)
                items.append(AttemptQuestion(
                    attempt=attempt, position=position, question_id=question.pk,
                    version=version, module_number=question.module_number,
                    kind=question.kind, option_order=order,
                ))
            AttemptQuestion.objects.bulk_create(items)
            # The paper the start answers with is what was just written, versions included: it
            # is not read back (selectors.attempt_paper).
            attempt.paper_items = items
            attempt_log(attempt, AttemptEventKind.START, user, sitting=check.sitting.pk,
                        deadline=attempt.deadline.isoformat(), extra_minutes=extra,
                        questions=len(items), honour_accepted=honour_accepted)
    except IntegrityError:
        # Another request of the same person won the race: theirs is the open attempt.
        existing = Attempt.objects.filter(exam=exam, user=user, state=AttemptState.OPEN).first()
        if existing is None:
            raise
        return existing, False
    return attempt, True
