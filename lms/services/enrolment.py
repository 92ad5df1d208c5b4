"""Holding a seat (or a waitlist place), cancelling with the policy's refund, lapsed holds and
waitlist offers."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record

from ..errors import (
    AlreadyEnrolled,
    CohortFull,
    CohortUnavailable,
    EnrolmentStateError,
    PaymentError,
)
from ..models import ZERO, Enrolment, Payment
from ..payments import ProviderError, provider_get
from ..selectors import refund_amount_for
from .common import (
    cohort_check_open,
    cohort_lock,
    current_time,
    enrolment_lock,
    enrolment_set_cancelled,
    new_reference,
    seats_free,
    waitlist_offer_on_commit,
)
from .notifications import email_enrolment
from .payments import payment_expire, payment_refund, payment_sync, payments_close_open

logger = logging.getLogger(__name__)


def enrolment_create(*, user: User, cohort_id: int, waitlist: bool = False) -> Enrolment:
    """Hold a seat for `user` (pending payment), or put them on the waitlist when the cohort is
    full and they asked for it."""
    # Lapsed holds first (their own included, so they may enrol again), committed on their own:
    # a seat a lapse frees goes to the waitlist before this request can take it.
    holds_expire()
    return _enrolment_create(user=user, cohort_id=cohort_id, waitlist=waitlist)


@transaction.atomic
def _enrolment_create(*, user: User, cohort_id: int, waitlist: bool) -> Enrolment:
    cohort = cohort_lock(cohort_id)
    cohort_check_open(cohort)
    if Enrolment.objects.filter(
        user=user, cohort=cohort, state__in=Enrolment.ACTIVE_STATES
    ).exists():
        raise AlreadyEnrolled()
    now = current_time()
    if seats_free(cohort) > 0:
        state, hold = Enrolment.State.PENDING_PAYMENT, now + datetime.timedelta(
            minutes=settings.LMS_SEAT_HOLD_MINUTES
        )
    elif waitlist:
        state, hold = Enrolment.State.WAITLISTED, None
    else:
        raise CohortFull()
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                cohort=cohort,
                user=user,
                state=state,
                price=cohort.price,
                hold_expires_at=hold,
                reference=new_reference(),
            )
    except IntegrityError:
        raise AlreadyEnrolled() from None
    audit_record(
        actor=user, action=f"lms.enrolment.{state}", target=enrolment,
        data={"cohort": cohort.code, "price": str(cohort.price)},
    )
    email_enrolment(enrolment, "enrolment_received", waitlisted=state == Enrolment.State.WAITLISTED)
    return enrolment


def cancel_refund_for(
    *, enrolment: Enrolment, full_refund: bool = False, on: datetime.date | None = None
) -> Decimal:
    """What cancelling `enrolment` on `on` (today) gives back: the policy's amount (or the price,
    `full_refund`), never more than was paid; nothing unless it is confirmed and paid. The
    confirmation page and the API state it before the person cancels."""
    if enrolment.state != Enrolment.State.CONFIRMED:
        return ZERO
    paid = enrolment.payments.filter(state=Payment.State.CONFIRMED).values_list(
        "amount", flat=True).first()
    if paid is None:
        return ZERO
    amount = enrolment.price if full_refund else refund_amount_for(enrolment=enrolment, on=on)
    return min(amount, paid)


@transaction.atomic
def enrolment_cancel(
    *, enrolment_id: int, by: User | None, reason: str = "", full_refund: bool = False,
    reason_code: str = "",
) -> Enrolment:
    """Cancel an enrolment. A paid one is refunded per the cohort's policy (in full when
    `full_refund`, e.g. staff cancelling) through the provider that took the money."""
    enrolment_row = Enrolment.objects.get(pk=enrolment_id)
    cohort = cohort_lock(enrolment_row.cohort_id)
    enrolment = enrolment_lock(enrolment_id)
    is_self = by is not None and by.pk == enrolment.user_id
    reason_code = reason_code or (
        Enrolment.CancelReason.TRAINEE if is_self else Enrolment.CancelReason.STAFF
    )
    if enrolment.state == Enrolment.State.COMPLETED:
        raise EnrolmentStateError(_("A completed enrolment cannot be cancelled."), code="completed")
    if enrolment.state in (Enrolment.State.CANCELLED, Enrolment.State.REFUNDED):
        return enrolment
    held_seat = enrolment.state in Enrolment.SEATED_STATES or (
        enrolment.state == Enrolment.State.PENDING_PAYMENT
    )
    if enrolment.state == Enrolment.State.CONFIRMED:
        payment = enrolment.payments.select_for_update().filter(
            state=Payment.State.CONFIRMED
        ).first()
        amount = cancel_refund_for(enrolment=enrolment, full_refund=full_refund)
        if payment is not None and amount > ZERO:
            payment_refund(payment=payment, amount=amount, by=by, reason=reason)
            enrolment_set_cancelled(
                enrolment, state=Enrolment.State.REFUNDED, reason_code=reason_code, actor=by,
                reason=reason, data={"refund": str(amount)},
            )
        else:
            enrolment_set_cancelled(
                enrolment, state=Enrolment.State.CANCELLED, reason_code=reason_code, actor=by,
                reason=reason, data={"refund": "0.00"},
            )
        email_enrolment(enrolment, "cancelled", refund=f"{amount:.2f}")
    else:
        payments_close_open(enrolment)
        enrolment_set_cancelled(
            enrolment, state=Enrolment.State.CANCELLED, reason_code=reason_code, actor=by,
            reason=reason,
        )
    if held_seat:
        waitlist_offer_on_commit(cohort.pk)
    return enrolment


def holds_expire(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Release seats whose holds (a waitlist offer is one) have run out, offering them to the
    waitlist. A Stripe checkout still open at its deadline is expired at Stripe first, then
    re-read, so a payment made in the last second still counts. Beat runs this every five
    minutes; every read of seats or of a person's enrolments runs it first too (selectors), so
    a hold lapses on the first access after it ran out even where beat does not run."""
    now = now or current_time()
    counts = {"confirmed": 0, "released": 0}
    # A payment for another purchase (no enrolment) lapses only when its checkout expires.
    due_payments = Payment.objects.filter(state=Payment.State.CREATED).filter(
        Q(expires_at__lte=now)
        | Q(enrolment__isnull=False) & (
            Q(
                enrolment__state=Enrolment.State.PENDING_PAYMENT,
                enrolment__hold_expires_at__lte=now,
            )
            | ~Q(enrolment__state=Enrolment.State.PENDING_PAYMENT)
        )
    )
    for payment in due_payments.select_related("enrolment"):
        provider = provider_get(payment.provider)
        try:
            if payment.provider_reference and not provider.confirmed_by_staff:
                outcome = payment_sync(payment_id=payment.pk)
                if outcome == "open":
                    provider.checkout_cancel(payment)
                    outcome = payment_sync(payment_id=payment.pk)
                if outcome == "open":
                    continue
            else:
                payment_expire(payment_id=payment.pk)
                outcome = "expired"
        except (ProviderError, PaymentError):
            logger.warning("Could not settle payment %s; will retry", payment.pk, exc_info=True)
            continue
        counts["confirmed" if outcome == "paid" else "released"] += 1
    # Holds with no checkout at all (the person never chose how to pay).
    stale = Enrolment.objects.filter(
        state=Enrolment.State.PENDING_PAYMENT, hold_expires_at__lte=now
    ).exclude(Exists(Payment.objects.filter(enrolment=OuterRef("pk"), state=Payment.State.CREATED)))
    for enrolment_id, cohort_id in stale.values_list("pk", "cohort_id"):
        with transaction.atomic():
            cohort_lock(cohort_id)
            enrolment = enrolment_lock(enrolment_id)
            if (
                enrolment.state != Enrolment.State.PENDING_PAYMENT
                or enrolment.hold_expires_at is None
                or enrolment.hold_expires_at > now
            ):
                continue
            enrolment_set_cancelled(
                enrolment, state=Enrolment.State.CANCELLED,
                reason_code=Enrolment.CancelReason.EXPIRED, actor=None,
                reason="seat hold expired unpaid",
            )
            waitlist_offer_on_commit(cohort_id)
            counts["released"] += 1
    return counts


@transaction.atomic
def waitlist_offer_next(*, cohort_id: int) -> list[Enrolment]:
    """Offer free seats to the waitlist, first come first served: each offered enrolment holds
    a seat (pending payment) for LMS_WAITLIST_OFFER_HOURS and gets an email."""
    cohort = cohort_lock(cohort_id)
    try:
        cohort_check_open(cohort)
    except CohortUnavailable:
        return []
    free = seats_free(cohort)
    if free <= 0:
        return []
    now = current_time()
    hold = min(
        now + datetime.timedelta(hours=settings.LMS_WAITLIST_OFFER_HOURS),
        cohort.enrolment_deadline,
    )
    offered = []
    for enrolment in (
        Enrolment.objects.select_for_update()
        .filter(cohort=cohort, state=Enrolment.State.WAITLISTED)
        .order_by("created_at", "pk")[:free]
    ):
        enrolment.state = Enrolment.State.PENDING_PAYMENT
        enrolment.hold_expires_at = hold
        enrolment.waitlist_offered_at = now
        enrolment.save(update_fields=["state", "hold_expires_at", "waitlist_offered_at"])
        audit_record(
            actor=None, action="lms.enrolment.waitlist_offered", target=enrolment,
            data={"hold_until": hold.isoformat()},
        )
        email_enrolment(
            enrolment, "waitlist_offer",
            hold_until=timezone.localtime(hold).strftime("%Y-%m-%d %H:%M"),
        )
        offered.append(enrolment)
    return offered
