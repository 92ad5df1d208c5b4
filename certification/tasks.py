"""Celery tasks: take ids and strings, call one service, safe to run twice."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def credential_issue_for_pass_task(
    *, user_id: int, source_key: str, exam_score: str | None, passed_at: str | None
) -> str:
    credential = services.credential_issue_for_pass(
        user_id=user_id, source_key=source_key, exam_score=exam_score, passed_at=passed_at
    )
    return credential.number


@shared_task
def credential_pass_withdrawn_task(*, source_key: str, exam_score: str | None, reason: str) -> str:
    return services.credential_pass_withdrawn(source_key=source_key, exam_score=exam_score,
                                              reason=reason)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def credential_pdf_generate_task(*, credential_id: int, force: bool = False) -> str:
    return services.credential_pdf_generate(credential_id=credential_id, force=force).pdf.name or ""


@shared_task
def credentials_regenerate_for_holder_task(*, user_id: int) -> int:
    return services.credentials_regenerate_for_holder(user_id=user_id)


@shared_task
def credential_reminders_send_task() -> int:
    return services.credential_reminders_send()


@shared_task
def credentials_reconcile_task(*, days: int = 30, issue: bool = True) -> dict[str, list[str]]:
    """Passes of the last `days` days without a credential: issued (or only reported)."""
    since = timezone.now() - dt.timedelta(days=days)
    return services.credentials_reconcile(since=since, issue=issue)
