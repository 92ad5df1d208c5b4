from __future__ import annotations

from typing import Any

from celery import shared_task


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_deliver(
    self: Any, *, subject: str, body: str, to: list[str], html_body: str | None = None,
    key: str | None = None,
) -> bool:
    """Send one already-rendered message, once: keyed by `key` or by this task's id, which a
    retry or a redelivery after a killed worker keeps. Retries on SMTP/network errors."""
    from .services import email_deliver_once  # services queues this task

    return email_deliver_once(key=key or f"task:{self.request.id}", subject=subject, body=body,
                              to=to, html_body=html_body)


@shared_task
def email_deliveries_prune_task() -> int:
    from .services import email_deliveries_prune

    return email_deliveries_prune()
