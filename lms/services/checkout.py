"""Starting a payment for a pending enrolment or for a purchase of a registered kind
(`lms.purchases`); a bank transfer takes fapiao details first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record

from ..errors import CohortFull, EnrolmentStateError, PaymentError
from ..models import Enrolment, FapiaoRequest, Payment
from ..payments import CheckoutStart, PaymentProvider, ProviderError, provider_get
from ..purchases import purchase_kind_get
from .common import cohort_check_open, cohort_lock, current_time, enrolment_lock, seats_free
from .enrolment import holds_expire
from .notifications import email_enrolment
from .payments import payments_close, payments_close_open


@dataclass(frozen=True)
class CheckoutResult:
    payment: Payment
    start: CheckoutStart


def _fapiao_save(fapiao: dict[str, str], **purchase: Any) -> FapiaoRequest:
    """Check and store the fapiao details of the purchase named by `purchase` (its enrolment,
    or its purchase kind and key)."""
    from ..validators import normalise_taxpayer_id, validate_taxpayer_id

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
    request, _created = FapiaoRequest.objects.update_or_create(**purchase, defaults=fields)
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
    payment = _checkout_payment_open(
        enrolment_id=enrolment_id, user=user, provider=provider, fapiao=fapiao
    )
    # The provider call (HTTP for Stripe) runs without holding the cohort's lock.
    start = _checkout_provider_start(
        payment_provider, payment, success_url=success_url, cancel_url=cancel_url
    )
    payment = _checkout_started_record(
        enrolment_id=enrolment_id, payment=payment, start=start, user=user, provider=provider
    )
    return CheckoutResult(payment=payment, start=start)


@transaction.atomic
def _checkout_payment_open(
    *, enrolment_id: int, user: User, provider: str, fapiao: dict[str, str] | None
) -> Payment:
    """Under the seat lock: check the enrolment may be paid for, keep its seat held, and open
    (or, for a bank transfer, reuse) the payment."""
    enrolment_row = Enrolment.objects.get(pk=enrolment_id)
    cohort = cohort_lock(enrolment_row.cohort_id)
    enrolment = enrolment_lock(enrolment_id)
    if enrolment.user_id != user.pk:
        raise PaymentError(_("This enrolment is not yours."), code="forbidden")
    if enrolment.state != Enrolment.State.PENDING_PAYMENT:
        raise EnrolmentStateError(
            _("This enrolment is not awaiting payment."), code="not_pending"
        )
    cohort_check_open(cohort)
    now = current_time()
    if enrolment.hold_expires_at is None or enrolment.hold_expires_at <= now:
        if seats_free(cohort, exclude_id=enrolment.pk) <= 0:
            raise CohortFull()
        enrolment.hold_expires_at = now + datetime.timedelta(
            minutes=settings.LMS_SEAT_HOLD_MINUTES
        )
        enrolment.save(update_fields=["hold_expires_at"])
    if provider == "bank_transfer":
        if fapiao is None:
            raise PaymentError(_("Please enter the fapiao details."), code="fapiao")
        _fapiao_save(fapiao, enrolment=enrolment)
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
        payments_close_open(enrolment, provider=provider)
        payment = Payment.objects.create(
            enrolment=enrolment, provider=provider, amount=enrolment.price, currency="CNY"
        )
    payment.enrolment = enrolment
    return payment


def _checkout_provider_start(
    payment_provider: PaymentProvider, payment: Payment, *, success_url: str, cancel_url: str
) -> CheckoutStart:
    """Ask the provider for a checkout; if it cannot start one, the payment fails and no money
    was taken."""
    try:
        return payment_provider.checkout_start(
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


@transaction.atomic
def _checkout_started_record(
    *, enrolment_id: int, payment: Payment, start: CheckoutStart, user: User, provider: str
) -> Payment:
    """Record the provider's checkout on the payment and hold the seat until it expires."""
    enrolment = enrolment_lock(enrolment_id)
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
        email_enrolment(
            enrolment, "bank_transfer_instructions", instructions=start.instructions
        )
    return payment


def purchase_checkout_start(
    *,
    kind: str,
    key: str,
    user: User,
    provider: str,
    success_url: str = "",
    cancel_url: str = "",
    fapiao: dict[str, str] | None = None,
) -> CheckoutResult:
    """`checkout_start` for a purchase of a registered kind: the kind says whether `user` may
    pay for it now and what it costs; the providers and the rest of the money's path are the
    course's. Starting a bank transfer again returns the same instructions."""
    payment_provider = provider_get(provider)
    if not payment_provider.is_available():
        raise PaymentError(_("This payment method is not available."), code="unavailable")
    payment = _purchase_payment_open(kind=kind, key=key, user=user, provider=provider,
                                     fapiao=fapiao)
    start = _checkout_provider_start(
        payment_provider, payment, success_url=success_url, cancel_url=cancel_url
    )
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.provider_reference = start.reference
        payment.expires_at = start.expires_at
        payment.save(update_fields=["provider_reference", "expires_at"])
        audit_record(
            actor=user, action="lms.payment.started", target=payment,
            data={"kind": kind, "key": key, "provider": provider, "reference": start.reference},
        )
    return CheckoutResult(payment=payment, start=start)


@transaction.atomic
def _purchase_payment_open(
    *, kind: str, key: str, user: User, provider: str, fapiao: dict[str, str] | None
) -> Payment:
    purchase_kind = purchase_kind_get(kind)
    purchase_kind.payable_check(key, user=user)
    terms = purchase_kind.terms(key)
    payments = Payment.objects.filter(purchase_kind=kind, purchase_key=key)
    if payments.filter(state__in=Payment.PAID_STATES).exists():
        raise PaymentError(_("This has already been paid."), code="paid")
    if provider == "bank_transfer":
        if fapiao is None:
            raise PaymentError(_("Please enter the fapiao details."), code="fapiao")
        _fapiao_save(fapiao, purchase_kind=kind, purchase_key=key)
        # One bank transfer per purchase, under its one reference: a lapsed one is reopened.
        existing = payments.filter(
            provider=provider, state__in=(Payment.State.CREATED, Payment.State.EXPIRED)
        ).first()
        if existing is not None:
            if existing.state == Payment.State.EXPIRED:
                existing.state = Payment.State.CREATED
                existing.save(update_fields=["state"])
            return existing
        return Payment.objects.create(
            purchase_kind=kind, purchase_key=key, provider=provider, method="bank",
            amount=terms.amount, currency="CNY",
        )
    payments_close(payments, provider=provider)
    return Payment.objects.create(
        purchase_kind=kind, purchase_key=key, provider=provider, amount=terms.amount,
        currency="CNY",
    )
