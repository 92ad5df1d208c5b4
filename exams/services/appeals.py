"""Appeals: a candidate asks for a score review; an exam admin resolves it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import audit_record

from ..errors import ExamError
from ..models import Appeal, AppealState, Attempt, AttemptEventKind, AttemptState
from .events import attempt_log


@transaction.atomic
def appeal_request(*, attempt_id: int, user: User, reason: str) -> Appeal:
    attempt = Attempt.objects.select_for_update().get(pk=attempt_id, user=user)
    if attempt.state == AttemptState.OPEN:
        raise ExamError(_("You can ask for a review once the attempt is submitted."))
    if not reason.strip():
        raise ExamError(_("Say what you would like reviewed."))
    if attempt.appeals.filter(state=AppealState.OPEN).exists():
        raise ExamError(_("A review of this attempt is already under way."))
    appeal = Appeal.objects.create(attempt=attempt, reason=reason.strip())
    attempt_log(attempt, AttemptEventKind.APPEAL, user, appeal=appeal.pk, reason=appeal.reason)
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
    attempt_log(appeal.attempt, AttemptEventKind.APPEAL_RESOLVED, resolved_by, appeal=appeal.pk,
                state=state, resolution=appeal.resolution)
    audit_record(actor=resolved_by, action=f"exams.appeal.{state}", target=appeal.attempt,
                 reason=appeal.resolution, data={"appeal": appeal.pk})
    return appeal
