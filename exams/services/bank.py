"""The question bank: saving a question (a new version when its content changes), its
item, voiding a flawed question."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cms.models import StandardItem
from core.services import audit_record

from ..errors import ExamError
from ..models import AttemptQuestion, AttemptState, Question, QuestionKind, QuestionVersion
from .regrade import attempt_regrade


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
    actor: User | None = None,
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
