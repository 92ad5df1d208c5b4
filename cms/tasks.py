"""Celery tasks: take ids and strings, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def standard_pdf_store_task(*, version_id: int, language: str) -> int:
    return services.standard_pdf_store(version_id=version_id, language=language)
