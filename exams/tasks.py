from __future__ import annotations

from celery import shared_task

from .services import attempts_submit_expired as _submit_expired


@shared_task
def attempts_submit_expired() -> int:
    """Beat task (every 30 s): submit attempts still open after deadline + grace. Idempotent."""
    return _submit_expired()
