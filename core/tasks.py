from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_deliver(
    *, subject: str, body: str, to: list[str], html_body: str | None = None
) -> None:
    """Send one already-rendered message. Retries on SMTP/network errors."""
    message = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


@shared_task(acks_late=True)
def outbox_drain() -> dict[str, int]:
    """Send the tasks kept while the broker was down (every minute, and when a worker starts)."""
    from .services import outbox_drain as drain

    return drain()


@worker_ready.connect
def _outbox_drain_on_worker_start(sender: Any = None, **kwargs: Any) -> None:
    # A worker that starts has just reached the broker: the outbox need not wait a minute.
    outbox_drain.delay()
