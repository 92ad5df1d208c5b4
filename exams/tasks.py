from __future__ import annotations

from celery import shared_task

from .services import attempts_submit_expired as _submit_expired


@shared_task
def attempts_submit_expired() -> int:
    """Beat task (every 30 s): submit attempts still open after deadline + grace. Idempotent."""
    return _submit_expired()


@shared_task(acks_late=True)
def questions_import_run(job_id: int) -> None:
    """Import one uploaded question file (core.models.ImportJob). Safe to run twice."""
    from .importing import questions_import_job_run  # importing queues this task

    questions_import_job_run(job_id=job_id)
