"""The last seat under concurrency, on PostgreSQL: threads with their own connections."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from lms import services
from lms.models import Enrolment, Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Start every job at the same instant, each in its own thread (own DB connection)."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # the outcome under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_parallel_enrolments_never_hold_more_seats_than_capacity(
    cohort_factory, user_factory
):
    cohort = cohort_factory(capacity=3)
    people = [user_factory() for _ in range(12)]

    results = _run_at_once([
        (lambda u=u: services.enrolment_create(user=u, cohort_id=cohort.pk)) for u in people
    ])

    held = [r for r in results if isinstance(r, Enrolment)]
    full = [r for r in results if isinstance(r, services.CohortFull)]
    assert len(held) == 3
    assert len(full) == 9
    assert Enrolment.objects.filter(cohort=cohort, state="pending_payment").count() == 3


def test_many_pay_for_the_last_seat_at_the_same_moment_one_is_confirmed_the_rest_refunded(
    cohort_factory, user_factory, enrolment_factory
):
    cohort = cohort_factory(capacity=1)
    # Six people whose holds have lapsed (so no seat is theirs) all pay at once.
    lapsed = timezone.now() - datetime.timedelta(minutes=1)
    payments = []
    for _ in range(6):
        enrolment = enrolment_factory(
            cohort=cohort, user=user_factory(), state=Enrolment.State.PENDING_PAYMENT,
            hold_expires_at=lapsed,
        )
        payments.append(Payment.objects.create(
            enrolment=enrolment, provider="bank_transfer", method="bank",
            amount=enrolment.price, provider_reference=enrolment.reference,
        ))
    staff = user_factory(roles=["course_admin"])
    today = timezone.localdate()

    results = _run_at_once([
        (lambda p=p: services.bank_transfer_confirm(
            payment_id=p.pk, by=staff, amount_received=p.amount, received_on=today)) for p in payments
    ])

    assert not [r for r in results if isinstance(r, Exception)], results
    states = sorted(Enrolment.objects.filter(cohort=cohort).values_list("state", flat=True))
    assert states == ["confirmed"] + ["refunded"] * 5
    assert Payment.objects.filter(enrolment__cohort=cohort, state="confirmed").count() == 1
    # No money is lost: every other payment is being returned in full.
    for payment in Payment.objects.filter(enrolment__cohort=cohort).exclude(state="confirmed"):
        assert payment.state == "refunded"
        assert payment.refunds.get().amount == payment.amount


def test_confirming_the_same_payment_in_parallel_confirms_once(
    cohort_factory, user_factory, enrolment_factory
):
    from core.models import AuditEntry

    cohort = cohort_factory(capacity=5)
    enrolment = enrolment_factory(cohort=cohort, state=Enrolment.State.PENDING_PAYMENT)
    payment = Payment.objects.create(enrolment=enrolment, provider="bank_transfer",
                                     amount=enrolment.price, provider_reference="R1")
    staff = user_factory(roles=["course_admin"])

    _run_at_once([
        (lambda: services.bank_transfer_confirm(payment_id=payment.pk, by=staff,
                                                amount_received=payment.amount,
                                                received_on=timezone.localdate()))
        for _ in range(5)
    ])

    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
    assert AuditEntry.objects.for_object(enrolment).filter(
        action="lms.enrolment.confirmed").count() == 1
    assert AuditEntry.objects.for_object(enrolment).filter(
        action="lms.payment.received").count() == 1
