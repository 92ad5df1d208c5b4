"""Celery tasks: take ids and strings, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def standard_import_run(job_id: int) -> None:
    """Import one uploaded standard file (core.models.ImportJob). Safe to run twice."""
    from .services import standard_import_job_run  # services queues this task

    standard_import_job_run(job_id=job_id)


@shared_task
def standard_pdf_store_task(*, version_id: int, language: str) -> int:
    from .services import standard_pdf_store  # services queues this task

    return standard_pdf_store(version_id=version_id, language=language)
