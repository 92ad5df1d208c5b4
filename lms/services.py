"""Every write in lms. Seats and money are decided under a row lock on the cohort.

Lock order, always: cohort → enrolment → payment. Provider calls (HTTP to Stripe) are made
outside the seat lock where possible (checkout start); a refund is made inside its
transaction so that a failed refund changes nothing.
"""

from __future__ import annotations

import datetime
import json
import logging
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import CANDIDATE, COURSE_ADMIN
from accounts.services import user_role_grant
from core.errors import DomainError
from core.services import audit_record, email_send_templated, task_queue_on_commit

from .models import (
    COURSE_DAYS,
    ZERO,
    Attendance,
    Cohort,
    Enrolment,
    FapiaoRequest,
    Payment,
    ReconciliationIssue,
    Refund,
    WebhookEvent,
)
from .payments import CheckoutStart, ProviderError, provider_get
from .selectors import seats_taken_q

logger = logging.getLogger(__name__)

# Lock only the row itself, not the rows select_related joins in (the course, the user).
_SELF = ("self",)
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# --- Domain errors: each carries a message a person can act on.
class LmsError(DomainError):
    pass


class CohortUnavailable(LmsError):
    pass


class CohortFull(LmsError):
    def __init__(self) -> None:
        super().__init__(
            _("This cohort is full. You can join its waitlist and we will email you if a seat "
              "becomes free."),
            code="full",
        )


class AlreadyEnrolled(LmsError):
    def __init__(self) -> None:
        super().__init__(_("You already have an enrolment in this cohort."), code="duplicate")


class EnrolmentStateError(LmsError):
    pass


class PaymentError(LmsError):
    pass


# --- Helpers
def _now() -> datetime.datetime:
    return timezone.now()


def _cohort_lock(cohort_id: int) -> Cohort:
    return Cohort.objects.select_for_update(of=_SELF).select_related("course").get(pk=cohort_id)


def _enrolment_lock(enrolment_id: int) -> Enrolment:
    return Enrolment.objects.select_for_update().get(pk=enrolment_id)


def _seats_taken(cohort: Cohort, *, exclude_id: int | None = None) -> int:
    qs = Enrolment.objects.filter(cohort=cohort).filter(seats_taken_q(prefix=""))
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.count()


def _seats_free(cohort: Cohort, *, exclude_id: int | None = None) -> int:
    return max(cohort.capacity - _seats_taken(cohort, exclude_id=exclude_id), 0)


def _new_reference() -> str:
    while True:
        reference = "CC" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        if not Enrolment.objects.filter(reference=reference).exists():
            return reference


def _url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, kwargs=kwargs or None)


def _email_context(enrolment: Enrolment, **extra: Any) -> dict[str, Any]:
    cohort = enrolment.cohort
    return {
        "name": enrolment.user.display_name,
        "course": cohort.course.title,
        "cohort": cohort.title,
        "days": [day.isoformat() for day in cohort.days],
        "time": f"{cohort.starts_at_time:%H:%M}–{cohort.ends_at_time:%H:%M}",
        "venue": cohort.venue,
        "online_url": cohort.online_url,
        "price": f"{enrolment.price:.2f}",
        "reference": enrolment.reference,
        "enrolment_url": _url("lms:enrolment_detail", reference=enrolment.reference),
        **extra,
    }


def _email(enrolment: Enrolment, template: str, **extra: Any) -> None:
    email_send_templated(
        to=[enrolment.user.email],
        template_prefix=f"lms/email/{template}",
        context=_email_context(enrolment, **extra),
        language=enrolment.user.language,
    )


def _cohort_check_open(cohort: Cohort) -> None:
    """A cohort takes enrolments and payments while published and before its deadline."""
    if cohort.status == Cohort.Status.CANCELLED:
        raise CohortUnavailable(
            _("This cohort has been cancelled; please choose another one."), code="cancelled"
        )
    if cohort.status != Cohort.Status.PUBLISHED or not cohort.course.is_published:
        raise CohortUnavailable(_("This cohort is not open for enrolment."), code="unpublished")
    if cohort.enrolment_deadline <= _now() or cohort.day_1 <= timezone.localdate():
        raise CohortUnavailable(
            _("Enrolment for this cohort has closed; please choose a later cohort."),
            code="closed",
        )


def _offer_waitlist_on_commit(cohort_id: int) -> None:
    from .tasks import waitlist_offer

    task_queue_on_commit(waitlist_offer, cohort_id)


# --- Enrolment
def enrolment_create(*, user: User, cohort_id: int, waitlist: bool = False) -> Enrolment:
    """Hold a seat for `user` (pending payment), or put them on the waitlist when the cohort is
    full and they asked for it."""
    # Lapsed holds first (their own included, so they may enrol again), committed on their own:
    # a seat a lapse frees goes to the waitlist before this request can take it.
    holds_expire()
    return _enrolment_create(user=user, cohort_id=cohort_id, waitlist=waitlist)


@transaction.atomic
def _enrolment_create(*, user: User, cohort_id: int, waitlist: bool) -> Enrolment:
    cohort = _cohort_lock(cohort_id)
    _cohort_check_open(cohort)
    if Enrolment.objects.filter(
        user=user, cohort=cohort, state__in=Enrolment.ACTIVE_STATES
    ).exists():
        raise AlreadyEnrolled()
    now = _now()
    if _seats_free(cohort) > 0:
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
                reference=_new_reference(),
            )
    except IntegrityError:
        raise AlreadyEnrolled() from None
    audit_record(
        actor=user, action=f"lms.enrolment.{state}", target=enrolment,
        data={"cohort": cohort.code, "price": str(cohort.price)},
    )
    _email(enrolment, "enrolment_received", waitlisted=state == Enrolment.State.WAITLISTED)
    return enrolment


def _enrolment_set_cancelled(
    enrolment: Enrolment, *, state: str, reason_code: str, actor: User | None, reason: str,
    data: dict[str, Any] | None = None,
) -> None:
    was = enrolment.state
    enrolment.state = state
    enrolment.cancel_reason = reason_code
    enrolment.cancelled_at = _now()
    enrolment.hold_expires_at = None
    enrolment.save(update_fields=["state", "cancel_reason", "cancelled_at", "hold_expires_at"])
    audit_record(
        actor=actor, action=f"lms.enrolment.{state}", target=enrolment, reason=reason,
        data={"from": was, "why": reason_code, **(data or {})},
    )


def refund_amount_for(*, enrolment: Enrolment, on: datetime.date | None = None) -> Decimal:
    """What the cohort's cancellation policy returns for a cancellation on `on` (today)."""
    cohort = enrolment.cohort
    days_before = (cohort.day_1 - (on or timezone.localdate())).days
    paid = enrolment.price
    if days_before >= cohort.full_refund_days:
        return paid
    if days_before >= cohort.partial_refund_days:
        return (paid * cohort.partial_refund_percent / 100).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
    return ZERO


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
    cohort = _cohort_lock(enrolment_row.cohort_id)
    enrolment = _enrolment_lock(enrolment_id)
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
            _refund(payment=payment, amount=amount, by=by, reason=reason)
            _enrolment_set_cancelled(
                enrolment, state=Enrolment.State.REFUNDED, reason_code=reason_code, actor=by,
                reason=reason, data={"refund": str(amount)},
            )
        else:
            _enrolment_set_cancelled(
                enrolment, state=Enrolment.State.CANCELLED, reason_code=reason_code, actor=by,
                reason=reason, data={"refund": "0.00"},
            )
        _email(enrolment, "cancelled", refund=f"{amount:.2f}")
    else:
        _payments_close_open(enrolment)
        _enrolment_set_cancelled(
            enrolment, state=Enrolment.State.CANCELLED, reason_code=reason_code, actor=by,
            reason=reason,
        )
    if held_seat:
        _offer_waitlist_on_commit(cohort.pk)
    return enrolment


def _payments_close_open(enrolment: Enrolment, *, provider: str | None = None) -> None:
    """Mark open checkouts expired; Stripe sessions are expired at Stripe after commit. A
    session paid meanwhile is still honoured: its event re-reads an expired payment too."""
    open_payments = enrolment.payments.select_for_update().filter(state=Payment.State.CREATED)
    if provider is not None:
        open_payments = open_payments.filter(provider=provider)
    for payment in open_payments:
        payment.state = Payment.State.EXPIRED
        payment.save(update_fields=["state"])
        if payment.provider_reference and payment.provider != "bank_transfer":

            def close(name: str = payment.provider, payment_id: int = payment.pk) -> None:
                try:
                    provider_get(name).checkout_cancel(Payment.objects.get(pk=payment_id))
                except ProviderError:
                    logger.warning("Could not expire checkout of payment %s", payment_id)

            transaction.on_commit(close)


# --- Checkout
@dataclass(frozen=True)
class CheckoutResult:
    payment: Payment
    start: CheckoutStart


def _fapiao_save(enrolment: Enrolment, fapiao: dict[str, str]) -> FapiaoRequest:
    from .validators import normalise_taxpayer_id, validate_taxpayer_id

    data = dict(fapiao)
    try:
        validate_taxpayer_id(data.get("taxpayer_id", ""))
    except ValidationError as exc:
        raise PaymentError({"taxpayer_id": exc.messages}) from exc
    data["taxpayer_id"] = normalise_taxpayer_id(data["taxpayer_id"])
    missing = [f for f in ("company_name", "address", "bank") if not data.get(f, "").strip()]
    if missing:
        raise PaymentError(
            {name: [_("This field is required.")] for name in missing}
        )
    fields = {k: data.get(k, "").strip() for k in
              ("company_name", "taxpayer_id", "address", "bank", "email")}
    request, _created = FapiaoRequest.objects.update_or_create(
        enrolment=enrolment, defaults=fields
    )
    return request


def checkout_start(
    *,
    enrolment_id: int,
    user: User,
    provider: str,
    success_url: str = "",
    cancel_url: str = "",
    fapiao: dict[str, str] | None = None,
) -> CheckoutResult:
    """Start paying for a pending enrolment. The seat hold is extended to the checkout's expiry.

    Bank transfer needs fapiao details and gives instructions with the enrolment's reference;
    starting it again returns the same instructions.
    """
    payment_provider = provider_get(provider)
    if not payment_provider.is_available():
        raise PaymentError(_("This payment method is not available."), code="unavailable")
    holds_expire()  # a hold that already lapsed cannot be paid for: its seat went on

    with transaction.atomic():
        enrolment_row = Enrolment.objects.get(pk=enrolment_id)
        cohort = _cohort_lock(enrolment_row.cohort_id)
        enrolment = _enrolment_lock(enrolment_id)
        if enrolment.user_id != user.pk:
            raise PaymentError(_("This enrolment is not yours."), code="forbidden")
        if enrolment.state != Enrolment.State.PENDING_PAYMENT:
            raise EnrolmentStateError(
                _("This enrolment is not awaiting payment."), code="not_pending"
            )
        _cohort_check_open(cohort)
        now = _now()
        if enrolment.hold_expires_at is None or enrolment.hold_expires_at <= now:
            if _seats_free(cohort, exclude_id=enrolment.pk) <= 0:
                raise CohortFull()
            enrolment.hold_expires_at = now + datetime.timedelta(
                minutes=settings.LMS_SEAT_HOLD_MINUTES
            )
            enrolment.save(update_fields=["hold_expires_at"])
        if provider == "bank_transfer":
            if fapiao is None:
                raise PaymentError(_("Please enter the fapiao details."), code="fapiao")
            _fapiao_save(enrolment, fapiao)
            existing = enrolment.payments.filter(
                provider=provider, state=Payment.State.CREATED
            ).first()
            if existing is not None:
                payment = existing
            else:
                payment = Payment.objects.create(
                    enrolment=enrolment, provider=provider, method="bank",
                    amount=enrolment.price, currency="CNY",
                )
        else:
            # One open card/Alipay/WeChat checkout at a time: a new one closes the previous.
            _payments_close_open(enrolment, provider=provider)
            payment = Payment.objects.create(
                enrolment=enrolment, provider=provider, amount=enrolment.price, currency="CNY"
            )
        payment.enrolment = enrolment

    # The provider call (HTTP for Stripe) runs without holding the cohort's lock.
    try:
        start = payment_provider.checkout_start(
            payment, success_url=success_url, cancel_url=cancel_url
        )
    except ProviderError as exc:
        Payment.objects.filter(pk=payment.pk, state=Payment.State.CREATED).update(
            state=Payment.State.FAILED
        )
        raise PaymentError(
            _("The payment service could not start a checkout (%(error)s). No money was taken; "
              "please try again or choose bank transfer."),
            code="provider",
            params={"error": str(exc)},
        ) from exc

    with transaction.atomic():
        enrolment = _enrolment_lock(enrolment_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.provider_reference = start.reference
        payment.expires_at = start.expires_at
        payment.save(update_fields=["provider_reference", "expires_at"])
        if enrolment.state == Enrolment.State.PENDING_PAYMENT and (
            enrolment.hold_expires_at is None or enrolment.hold_expires_at < start.expires_at
        ):
            enrolment.hold_expires_at = start.expires_at
            enrolment.save(update_fields=["hold_expires_at"])
        audit_record(
            actor=user, action="lms.payment.started", target=enrolment,
            data={"provider": provider, "payment": payment.pk, "reference": start.reference},
        )
        if provider == "bank_transfer":
            _email(enrolment, "bank_transfer_instructions", instructions=start.instructions)
    return CheckoutResult(payment=payment, start=start)


# --- Payment confirmation: idempotent and row-locked.
@transaction.atomic
def payment_confirm(
    *,
    payment_id: int,
    confirmed_by: User | None = None,
    provider_payment_id: str = "",
    method: str = "",
) -> Enrolment:
    """Record that the money for `payment_id` has arrived and confirm its enrolment, once.

    Called again for the same payment it changes nothing. If the enrolment can no longer have a
    seat (cancelled, already paid through another checkout, cohort full or cancelled), the money
    is refunded through the same provider, so none is lost.
    """
    payment_row = Payment.objects.select_related("enrolment").get(pk=payment_id)
    cohort = _cohort_lock(payment_row.enrolment.cohort_id)
    enrolment = _enrolment_lock(payment_row.enrolment_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.state in Payment.PAID_STATES:
        return enrolment
    now = _now()
    payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
    payment.method = method or payment.method
    payment.confirmed_at = now
    payment.confirmed_by = confirmed_by

    already_paid = enrolment.payments.filter(state=Payment.State.CONFIRMED).exists()
    seat_ok = False
    if not already_paid and cohort.status != Cohort.Status.CANCELLED:
        if enrolment.state == Enrolment.State.PENDING_PAYMENT:
            hold_live = enrolment.hold_expires_at is not None and enrolment.hold_expires_at > now
            seat_ok = hold_live or _seats_free(cohort, exclude_id=enrolment.pk) > 0
        elif (
            enrolment.state == Enrolment.State.CANCELLED
            and enrolment.cancel_reason == Enrolment.CancelReason.EXPIRED
        ):
            # Paid after the hold ran out (a late bank transfer): seat it if one is free.
            other_active = Enrolment.objects.filter(
                user_id=enrolment.user_id, cohort=cohort, state__in=Enrolment.ACTIVE_STATES
            ).exists()
            seat_ok = not other_active and _seats_free(cohort, exclude_id=enrolment.pk) > 0

    if seat_ok:
        payment.state = Payment.State.CONFIRMED
        payment.save()
        was = enrolment.state
        enrolment.state = Enrolment.State.CONFIRMED
        enrolment.confirmed_at = now
        enrolment.hold_expires_at = None
        enrolment.cancel_reason = ""
        enrolment.cancelled_at = None
        enrolment.save(
            update_fields=["state", "confirmed_at", "hold_expires_at", "cancel_reason",
                           "cancelled_at"]
        )
        audit_record(
            actor=confirmed_by, action="lms.enrolment.confirmed", target=enrolment,
            data={"from": was, "provider": payment.provider, "payment": payment.pk,
                  "amount": str(payment.amount), "method": payment.method},
        )
        _payments_close_open(enrolment)
        _email(
            enrolment, "payment_confirmed",
            amount=f"{payment.amount:.2f}", currency=payment.currency,
            provider=str(provider_get(payment.provider).verbose_name),
            paid_at=timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
            receipt_no=f"{enrolment.reference}-{payment.pk}",
        )
        return enrolment

    # No seat for this money: take it on record, then give it back in full.
    if already_paid:
        payment.state = Payment.State.REFUNDED
        payment.refunded_amount = payment.amount
        payment.save()
        refund = Refund.objects.create(
            payment=payment, amount=payment.amount, reason="duplicate payment",
            created_by=confirmed_by,
        )
        _refund_execute(refund)
        audit_record(
            actor=confirmed_by, action="lms.payment.duplicate_refunded", target=enrolment,
            data={"payment": payment.pk, "amount": str(payment.amount)},
        )
        return enrolment
    payment.state = Payment.State.CONFIRMED
    payment.save()
    _refund(payment=payment, amount=payment.amount, by=confirmed_by,
            reason="paid when no seat could be given")
    if enrolment.state in Enrolment.ACTIVE_STATES or enrolment.state == Enrolment.State.CANCELLED:
        _enrolment_set_cancelled(
            enrolment, state=Enrolment.State.REFUNDED,
            reason_code=enrolment.cancel_reason or Enrolment.CancelReason.PAYMENT_UNUSABLE,
            actor=confirmed_by, reason="paid when no seat could be given",
        )
    _email(enrolment, "cancelled", refund=f"{payment.amount:.2f}", no_seat=True)
    return enrolment


def _refund(*, payment: Payment, amount: Decimal, by: User | None, reason: str) -> Refund:
    """Refund `amount` of a locked, confirmed payment through its provider."""
    if amount <= ZERO or payment.refunded_amount + amount > payment.amount:
        raise PaymentError(_("This refund amount is not possible."), code="refund_amount")
    refund = Refund.objects.create(payment=payment, amount=amount, reason=reason, created_by=by)
    payment.refunded_amount += amount
    payment.state = (
        Payment.State.REFUNDED
        if payment.refunded_amount == payment.amount
        else Payment.State.PARTIALLY_REFUNDED
    )
    payment.save(update_fields=["refunded_amount", "state"])
    _refund_execute(refund)
    audit_record(
        actor=by, action="lms.payment.refunded", target=payment.enrolment, reason=reason,
        data={"payment": payment.pk, "amount": str(amount), "provider": payment.provider,
              "refund": refund.pk, "state": refund.state},
    )
    return refund


def _refund_execute(refund: Refund) -> None:
    try:
        done, reference = provider_get(refund.payment.provider).refund_execute(refund)
    except ProviderError as exc:
        raise PaymentError(
            _("The refund could not be made (%(error)s); nothing was changed. Please try again."),
            code="refund_failed", params={"error": str(exc)},
        ) from exc
    refund.state = Refund.State.DONE if done else Refund.State.PENDING
    refund.provider_reference = reference
    refund.save(update_fields=["state", "provider_reference"])


@transaction.atomic
def refund_mark_done(*, refund_id: int, by: User, reference: str = "") -> Refund:
    """A course admin records that a bank refund has been transferred back."""
    refund = Refund.objects.select_for_update(of=_SELF).select_related("payment__enrolment").get(
        pk=refund_id
    )
    if refund.state == Refund.State.DONE:
        return refund
    refund.state = Refund.State.DONE
    refund.provider_reference = reference or refund.provider_reference
    refund.save(update_fields=["state", "provider_reference"])
    audit_record(
        actor=by, action="lms.refund.done", target=refund.payment.enrolment,
        data={"refund": refund.pk, "amount": str(refund.amount), "reference": reference},
    )
    return refund


def bank_transfer_check(
    *, payment: Payment, amount_received: Decimal, received_on: datetime.date
) -> None:
    """Raise PaymentError unless a transfer of `amount_received` on `received_on` may confirm
    `payment` (also used to check before the confirmation page is shown)."""
    if amount_received != payment.amount:
        raise PaymentError(
            _("The amount received (¥%(received)s) is not the amount due (¥%(due)s). A short "
              "or excess transfer is not confirmed: settle the difference with the company "
              "first (or refund the transfer)."),
            code="amount_mismatch",
            params={"received": f"{amount_received:.2f}", "due": f"{payment.amount:.2f}"},
        )
    today = timezone.localdate(_now())
    if received_on > today:
        raise PaymentError(_("The date received cannot be in the future."), code="received_on")
    if received_on < timezone.localdate(payment.created_at):
        raise PaymentError(
            _("The date received is before the transfer instructions were issued "
              "(%(issued)s); please check the date on the bank statement."),
            code="received_on",
            params={"issued": timezone.localdate(payment.created_at).isoformat()},
        )


@transaction.atomic
def bank_transfer_confirm(
    *, payment_id: int, by: User, amount_received: Decimal, received_on: datetime.date
) -> Enrolment:
    """A course admin confirms that the company's transfer has arrived: how much, and on which
    day (as the bank statement shows it). Only the exact amount due is accepted; a short or
    excess transfer is refused, to be settled with the company first. Once confirmed it stays
    confirmed: a second call changes nothing (the first amount and date are kept)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.provider != "bank_transfer":
        raise PaymentError(_("Only bank transfers are confirmed by hand."), code="provider")
    if payment.state in Payment.PAID_STATES:
        return payment_confirm(payment_id=payment_id, confirmed_by=by, method="bank")
    bank_transfer_check(payment=payment, amount_received=amount_received,
                        received_on=received_on)
    if payment.state == Payment.State.EXPIRED:
        # A transfer for a checkout that lapsed: confirm it all the same (seat if free).
        Payment.objects.filter(pk=payment.pk).update(state=Payment.State.CREATED)
    enrolment = payment_confirm(payment_id=payment_id, confirmed_by=by, method="bank")
    # payment_confirm holds the payment's row lock until commit: only the first confirmation
    # records what arrived.
    recorded = Payment.objects.filter(pk=payment.pk, received_on__isnull=True).update(
        amount_received=amount_received, received_on=received_on
    )
    if recorded:
        audit_record(
            actor=by, action="lms.payment.received", target=enrolment,
            data={"payment": payment.pk, "amount_received": f"{amount_received:.2f}",
                  "received_on": received_on.isoformat()},
        )
    return enrolment


@transaction.atomic
def payment_expire(*, payment_id: int) -> Payment:
    """A checkout ended unpaid (Stripe's `checkout.session.expired`, or our hold ran out):
    release the seat unless another checkout for the enrolment is still open."""
    payment_row = Payment.objects.select_related("enrolment").get(pk=payment_id)
    cohort = _cohort_lock(payment_row.enrolment.cohort_id)
    enrolment = _enrolment_lock(payment_row.enrolment_id)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.state != Payment.State.CREATED:
        return payment
    payment.state = Payment.State.EXPIRED
    payment.save(update_fields=["state"])
    now = _now()
    other_open = enrolment.payments.filter(
        state=Payment.State.CREATED, expires_at__gt=now
    ).exists()
    if enrolment.state == Enrolment.State.PENDING_PAYMENT and not other_open:
        _enrolment_set_cancelled(
            enrolment, state=Enrolment.State.CANCELLED,
            reason_code=Enrolment.CancelReason.EXPIRED, actor=None,
            reason="checkout expired unpaid", data={"payment": payment.pk},
        )
        _offer_waitlist_on_commit(cohort.pk)
    return payment


def payment_sync(*, payment_id: int) -> str:
    """Re-read a checkout at its provider and act on what it says now (not on an event):
    confirm when paid, release when it is over unpaid. Returns "paid", "open" or "expired"."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.state in Payment.PAID_STATES:
        return "paid"
    if payment.state == Payment.State.FAILED or not payment.provider_reference:
        return "expired"
    # An EXPIRED payment is re-read too: money that arrived as we released the seat still counts.
    provider = provider_get(payment.provider)
    status = provider.checkout_status(payment)
    if status.paid:
        if status.amount is not None and (
            status.amount != payment.amount or status.currency != payment.currency
        ):
            logger.error("Payment %s: provider amount %s %s differs", payment.pk,
                         status.amount, status.currency)
        payment_confirm(
            payment_id=payment.pk, provider_payment_id=status.payment_id, method=status.method
        )
        return "paid"
    if status.open:
        return "open"
    if payment.state == Payment.State.CREATED:
        payment_expire(payment_id=payment.pk)
    return "expired"


def holds_expire(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Release seats whose holds (a waitlist offer is one) have run out, offering them to the
    waitlist. A Stripe checkout still open at its deadline is expired at Stripe first, then
    re-read, so a payment made in the last second still counts. Beat runs this every five
    minutes; every read of seats or of a person's enrolments runs it first too (selectors), so
    a hold lapses on the first access after it ran out even where beat does not run."""
    now = now or _now()
    counts = {"confirmed": 0, "released": 0}
    due_payments = Payment.objects.filter(state=Payment.State.CREATED).filter(
        Q(expires_at__lte=now)
        | Q(
            enrolment__state=Enrolment.State.PENDING_PAYMENT,
            enrolment__hold_expires_at__lte=now,
        )
        | ~Q(enrolment__state=Enrolment.State.PENDING_PAYMENT)
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
            _cohort_lock(cohort_id)
            enrolment = _enrolment_lock(enrolment_id)
            if (
                enrolment.state != Enrolment.State.PENDING_PAYMENT
                or enrolment.hold_expires_at is None
                or enrolment.hold_expires_at > now
            ):
                continue
            _enrolment_set_cancelled(
                enrolment, state=Enrolment.State.CANCELLED,
                reason_code=Enrolment.CancelReason.EXPIRED, actor=None,
                reason="seat hold expired unpaid",
            )
            _offer_waitlist_on_commit(cohort_id)
            counts["released"] += 1
    return counts


@transaction.atomic
def waitlist_offer_next(*, cohort_id: int) -> list[Enrolment]:
    """Offer free seats to the waitlist, first come first served: each offered enrolment holds
    a seat (pending payment) for LMS_WAITLIST_OFFER_HOURS and gets an email."""
    cohort = _cohort_lock(cohort_id)
    try:
        _cohort_check_open(cohort)
    except CohortUnavailable:
        return []
    free = _seats_free(cohort)
    if free <= 0:
        return []
    now = _now()
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
        _email(
            enrolment, "waitlist_offer",
            hold_until=timezone.localtime(hold).strftime("%Y-%m-%d %H:%M"),
        )
        offered.append(enrolment)
    return offered


@transaction.atomic
def cohort_cancel(*, cohort_id: int, by: User, reason: str) -> Cohort:
    """Cancel a cohort: every enrolment is cancelled and every payment refunded in full."""
    if not reason.strip():
        raise LmsError(_("Please give a reason for cancelling the cohort."), code="reason")
    cohort = _cohort_lock(cohort_id)
    if cohort.status == Cohort.Status.CANCELLED:
        return cohort
    for enrolment_id in cohort.enrolments.filter(
        state__in=[Enrolment.State.PENDING_PAYMENT, Enrolment.State.CONFIRMED,
                   Enrolment.State.WAITLISTED]
    ).values_list("pk", flat=True):
        enrolment_cancel(
            enrolment_id=enrolment_id, by=by, reason=reason, full_refund=True,
            reason_code=Enrolment.CancelReason.COHORT_CANCELLED,
        )
    cohort.status = Cohort.Status.CANCELLED
    cohort.cancelled_reason = reason
    cohort.save(update_fields=["status", "cancelled_reason"])
    audit_record(actor=by, action="lms.cohort.cancelled", target=cohort, reason=reason)
    return cohort


# --- Attendance and completion
@transaction.atomic
def attendance_mark(*, enrolment_id: int, day: int, present: bool, by: User) -> Enrolment:
    """Mark one day for one trainee. All three days present completes the enrolment."""
    if day not in range(1, COURSE_DAYS + 1):
        raise LmsError(_("The course has days 1 to 3."), code="day")
    enrolment = Enrolment.objects.select_for_update(of=_SELF).select_related("cohort").get(
        pk=enrolment_id
    )
    if enrolment.state not in Enrolment.SEATED_STATES:
        raise EnrolmentStateError(
            _("Attendance can only be marked for confirmed enrolments."), code="not_confirmed"
        )
    if enrolment.cohort.days[day - 1] > timezone.localdate():
        raise LmsError(_("Attendance cannot be marked before the day itself."), code="future")
    attendance, created = Attendance.objects.get_or_create(
        enrolment=enrolment, day=day, defaults={"present": present, "marked_by": by}
    )
    if not created and attendance.present != present:
        attendance.present = present
        attendance.marked_by = by
        attendance.save(update_fields=["present", "marked_by", "marked_at"])
    elif not created:
        return enrolment
    audit_record(
        actor=by, action="lms.attendance.marked", target=enrolment,
        data={"day": day, "present": present},
    )
    if (
        enrolment.state == Enrolment.State.CONFIRMED
        and enrolment.attendances.filter(present=True).count() == COURSE_DAYS
    ):
        _complete(enrolment, by=by)
    return enrolment


@transaction.atomic
def enrolment_complete_exception(*, enrolment_id: int, by: User, reason: str) -> Enrolment:
    """Complete an enrolment without all days attended (illness with make-up work, etc.)."""
    if not reason.strip():
        raise LmsError(_("Please give the reason for this exception."), code="reason")
    enrolment = _enrolment_lock(enrolment_id)
    if enrolment.state == Enrolment.State.COMPLETED:
        return enrolment
    if enrolment.state != Enrolment.State.CONFIRMED:
        raise EnrolmentStateError(
            _("Only a confirmed enrolment can be completed."), code="not_confirmed"
        )
    enrolment.completion_exception = reason.strip()
    enrolment.save(update_fields=["completion_exception"])
    _complete(enrolment, by=by, reason=reason)
    return enrolment


def _complete(enrolment: Enrolment, *, by: User | None, reason: str = "") -> None:
    enrolment.state = Enrolment.State.COMPLETED
    enrolment.completed_at = _now()
    enrolment.save(update_fields=["state", "completed_at"])
    audit_record(
        actor=by, action="lms.enrolment.completed", target=enrolment, reason=reason,
        data={"exception": bool(reason)},
    )
    user_role_grant(
        user=enrolment.user, role=CANDIDATE, granted_by=by,
        reason=f"completed {enrolment.cohort.course.code}",
    )
    _email(enrolment, "completed")


# --- Reminders and reconciliation
def reminders_send() -> int:
    """Email confirmed trainees a reminder before day one; each enrolment once."""
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.LMS_REMINDER_DAYS_BEFORE)
    sent = 0
    ids = Enrolment.objects.filter(
        state=Enrolment.State.CONFIRMED, reminder_sent_at__isnull=True,
        cohort__day_1__gt=today, cohort__day_1__lte=horizon,
        cohort__status=Cohort.Status.PUBLISHED,
    ).values_list("pk", flat=True)
    for enrolment_id in list(ids):
        with transaction.atomic():
            enrolment = Enrolment.objects.select_for_update(of=_SELF).select_related(
                "cohort__course", "user"
            ).get(pk=enrolment_id)
            if enrolment.reminder_sent_at is not None:
                continue
            enrolment.reminder_sent_at = _now()
            enrolment.save(update_fields=["reminder_sent_at"])
            _email(enrolment, "reminder")
            sent += 1
    return sent


@transaction.atomic
def payments_reconcile() -> dict[str, int]:
    """Find money without a seat and seats without money. Each mismatch is recorded once and
    reported to course admins once; mismatches that went away are marked resolved."""
    paid_not_confirmed = {
        p.enrolment_id: p
        for p in Payment.objects.filter(state=Payment.State.CONFIRMED).exclude(
            enrolment__state__in=Enrolment.SEATED_STATES
        )
    }
    confirmed_not_paid = set(
        Enrolment.objects.filter(state__in=Enrolment.SEATED_STATES, price__gt=0)
        .exclude(Exists(Payment.objects.filter(enrolment=OuterRef("pk"),
                                               state__in=Payment.PAID_STATES)))
        .values_list("pk", flat=True)
    )
    found = {
        ReconciliationIssue.Kind.PAID_NOT_CONFIRMED: set(paid_not_confirmed),
        ReconciliationIssue.Kind.CONFIRMED_NOT_PAID: confirmed_not_paid,
    }
    now = _now()
    new: list[ReconciliationIssue] = []
    resolved = 0
    for kind, enrolment_ids in found.items():
        open_issues = ReconciliationIssue.objects.filter(kind=kind, resolved_at__isnull=True)
        resolved += open_issues.exclude(enrolment_id__in=enrolment_ids).update(resolved_at=now)
        known = set(open_issues.values_list("enrolment_id", flat=True))
        for enrolment_id in sorted(enrolment_ids - known):
            payment = paid_not_confirmed.get(enrolment_id)
            new.append(ReconciliationIssue.objects.create(
                kind=kind, enrolment_id=enrolment_id, payment=payment,
                detail=f"{payment.provider} {payment.amount} {payment.currency}" if payment else "",
            ))
    if new:
        # One message per language the course admins read, each in its own words.
        by_language: dict[str, set[str]] = {}
        for email, language in (User.objects.filter(groups__name=COURSE_ADMIN, is_active=True)
                                .values_list("email", "language")):
            by_language.setdefault(language, set()).add(email)
        issues = list(ReconciliationIssue.objects.filter(pk__in=[i.pk for i in new])
                      .select_related("enrolment__user", "enrolment__cohort"))
        for language, recipients in sorted(by_language.items()):
            with translation.override(language):
                rows = [{"kind": str(i.get_kind_display()), "reference": i.enrolment.reference,
                         "trainee": i.enrolment.user.display_name,
                         "cohort": i.enrolment.cohort.title, "detail": i.detail}
                        for i in issues]
            email_send_templated(
                to=sorted(recipients),
                template_prefix="lms/email/reconciliation",
                context={"issues": rows, "dashboard_url": _url("lms:staff_dashboard")},
                language=language,
            )
        audit_record(actor=None, action="lms.reconciliation.found", data={
            "new": len(new), "resolved": resolved})
    return {"new": len(new), "resolved": resolved,
            "open": ReconciliationIssue.objects.filter(resolved_at__isnull=True).count()}


# --- Stripe webhook
def stripe_event_receive(*, payload: bytes, signature: str) -> str:
    """Verify, record once, then act on the Checkout Session's current state.

    Raises `SignatureError` for a forged, altered or stale delivery (nothing is recorded).
    The event id is stored in the same transaction as its effect: if acting fails (Stripe
    unreachable), nothing is stored and Stripe's retry is processed afresh.
    """
    from .payments.stripe_checkout import event_construct, event_session_id

    event = event_construct(payload, signature)
    session_id = event_session_id(event)
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(
                    provider="stripe", event_id=event.id, event_type=event.type,
                    object_id=session_id, payload=json.loads(payload),
                )
        except IntegrityError:
            return "duplicate"
        if not session_id:
            return "ignored"
        payment = Payment.objects.filter(provider="stripe", provider_reference=session_id).first()
        if payment is None:
            return "unknown"
        return payment_sync(payment_id=payment.pk)
