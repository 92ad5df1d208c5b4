"""What certification does when other apps report events: queue a task with plain values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from core.services import task_queue_on_commit


def on_attempt_passed(
    sender: Any,
    *,
    attempt_id: int,
    user_id: int,
    exam_id: int | None = None,
    score_percent: Decimal | None = None,
    passed_at: dt.datetime | None = None,
    **kwargs: Any,
) -> None:
    """exams.signals.attempt_passed -> issue a coordinator credential through Celery."""
    from .tasks import credential_issue_for_pass_task

    payload = {
        "user_id": int(user_id),
        "source_key": f"exams.attempt:{attempt_id}",
        "exam_score": str(score_percent) if score_percent is not None else None,
        "passed_at": passed_at.isoformat() if passed_at is not None else None,
    }
    # The signal is sent on commit already; the task is queued at once outside a transaction.
    task_queue_on_commit(credential_issue_for_pass_task, **payload)


def on_attempt_pass_withdrawn(
    sender: Any, *, attempt_id: int, score_percent: Decimal | None = None, reason: str = "",
    **kwargs: Any,
) -> None:
    """exams.signals.attempt_pass_withdrawn -> suspend what that pass gave, pending review."""
    from .tasks import credential_pass_withdrawn_task

    payload = {
        "source_key": f"exams.attempt:{attempt_id}",
        "exam_score": str(score_percent) if score_percent is not None else None,
        "reason": reason,
    }
    task_queue_on_commit(credential_pass_withdrawn_task, **payload)


def on_user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None,
                  **kwargs: Any) -> None:
    """A corrected name on the profile -> regenerate that holder's certificates."""
    if created:
        return
    if update_fields is not None and not {"name_zh", "name_en"} & set(update_fields):
        return
    from .models import Credential
    from .tasks import credentials_regenerate_for_holder_task

    stale = (
        Credential.objects.filter(holder_id=instance.pk)
        .exclude(printed_name_zh=instance.name_zh, printed_name_en=instance.name_en)
        .exists()
    )
    if stale:
        user_id = instance.pk
        task_queue_on_commit(credentials_regenerate_for_holder_task, user_id=user_id)
