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

