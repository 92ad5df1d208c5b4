"""Celery tasks: take ids, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def evidence_pages_render_task(*, version_id: int) -> int:
    return services.evidence_pages_render(version_id=version_id)
