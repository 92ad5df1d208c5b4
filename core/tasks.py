from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready


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


@shared_task(acks_late=True)
def outbox_drain() -> dict[str, int]:
    """Send the tasks kept while the broker was down (every minute, and when a worker starts)."""
    from .services import outbox_drain as drain

    return drain()


@worker_ready.connect
def _outbox_drain_on_worker_start(sender: Any = None, **kwargs: Any) -> None:
    # A worker that starts has just reached the broker: the outbox need not wait a minute.
    outbox_drain.delay()
