"""Celery tasks: each takes ids, calls one service and is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def holds_expire() -> dict[str, int]:
    return services.holds_expire()


@shared_task
def waitlist_offer(cohort_id: int) -> int:
    return len(services.waitlist_offer_next(cohort_id=cohort_id))


@shared_task
def payments_reconcile() -> dict[str, int]:
    return services.payments_reconcile()


@shared_task
def reminders_send() -> int:
    return services.reminders_send()


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def payment_sync(payment_id: int) -> str:
    """Re-read a checkout at its provider (queued by the webhook when acting inline failed)."""
    return services.payment_sync(payment_id=payment_id)
