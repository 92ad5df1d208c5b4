"""Money: a payment is confirmed once (or refunded when no seat can be given), refunds, bank
transfers confirmed by hand, checkouts that end unpaid, re-reading a checkout at its provider,
reconciliation and Stripe events."""

from __future__ import annotations

import datetime
import json
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import COURSE_ADMIN
from core.services import audit_record, email_send_templated

from ..errors import PaymentError
from ..models import ZERO, Cohort, Enrolment, Payment, ReconciliationIssue, Refund, WebhookEvent
from ..payments import ProviderError, provider_get
from ..purchases import purchase_kind_get
from .common import (
    SELF_ONLY,
    cohort_lock,
    current_time,
    enrolment_lock,
    enrolment_set_cancelled,
    seats_free,
    site_url,
    waitlist_offer_on_commit,
)
from .notifications import email_enrolment

logger = logging.getLogger(__name__)


def payments_close_open(enrolment: Enrolment, *, provider: str | None = None) -> None:
    """Mark the enrolment's open checkouts expired (see `payments_close`)."""
    payments_close(enrolment.payments.all(), provider=provider)


def payments_close(payments: QuerySet[Payment], *, provider: str | None = None) -> None:
    """Mark the open checkouts among `payments` expired; Stripe sessions are expired at Stripe
    after commit. A session paid meanwhile is still honoured: its event re-reads an expired
    payment too."""
    open_payments = payments.select_for_update().filter(state=Payment.State.CREATED)
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
    if payment_row.enrolment is None:
        raise PaymentError(_("This payment is not for a course seat."), code="purchase")
    cohort = cohort_lock(payment_row.enrolment.cohort_id)
    enrolment = enrolment_lock(payment_row.enrolment.pk)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.state in Payment.PAID_STATES:
        return enrolment
    now = current_time()
    payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
    payment.method = method or payment.method
    payment.confirmed_at = now
    payment.confirmed_by = confirmed_by

    already_paid = enrolment.payments.filter(state=Payment.State.CONFIRMED).exists()
    if not already_paid and _seat_available(enrolment, cohort, now=now):
        _enrolment_confirm(enrolment, payment, confirmed_by=confirmed_by, now=now)
    elif already_paid:
        _duplicate_refund(enrolment, payment, confirmed_by=confirmed_by)
    else:
        _no_seat_refund(enrolment, payment, confirmed_by=confirmed_by)
    return enrolment


def _seat_available(enrolment: Enrolment, cohort: Cohort, *, now: datetime.datetime) -> bool:
    """Whether the money for `enrolment` (not yet paid otherwise) can still buy its seat."""
    if cohort.status == Cohort.Status.CANCELLED:
        return False
    if enrolment.state == Enrolment.State.PENDING_PAYMENT:
        hold_live = enrolment.hold_expires_at is not None and enrolment.hold_expires_at > now
        return hold_live or seats_free(cohort, exclude_id=enrolment.pk) > 0
    if (
        enrolment.state == Enrolment.State.CANCELLED
        and enrolment.cancel_reason == Enrolment.CancelReason.EXPIRED
    ):
        # Paid after the hold ran out (a late bank transfer): seat it if one is free.
        other_active = Enrolment.objects.filter(
            user_id=enrolment.user_id, cohort=cohort, state__in=Enrolment.ACTIVE_STATES
        ).exists()
        return not other_active and seats_free(cohort, exclude_id=enrolment.pk) > 0
    return False


def _enrolment_confirm(
    enrolment: Enrolment, payment: Payment, *, confirmed_by: User | None,
    now: datetime.datetime,
) -> None:
    """The money buys the seat: the payment and the enrolment are confirmed, other open
    checkouts closed, and the trainee gets a receipt."""
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
    payments_close_open(enrolment)
    email_enrolment(
        enrolment, "payment_confirmed",
        amount=f"{payment.amount:.2f}", currency=payment.currency,
        provider=str(provider_get(payment.provider).verbose_name),
        paid_at=timezone.localtime(now).strftime("%Y-%m-%d %H:%M"),
        receipt_no=f"{enrolment.reference}-{payment.pk}",
    )


def _duplicate_refund(
    target: Enrolment | Payment, payment: Payment, *, confirmed_by: User | None
) -> None:
    """The enrolment was already paid through another checkout: take this money on record, then
    give it back in full."""
    payment.state = Payment.State.REFUNDED
    payment.refunded_amount = payment.amount
    payment.save()
    refund = Refund.objects.create(
        payment=payment, amount=payment.amount, reason="duplicate payment",
        created_by=confirmed_by,
    )
    _refund_execute(refund)
    audit_record(
        actor=confirmed_by, action="lms.payment.duplicate_refunded", target=target,
        data={"payment": payment.pk, "amount": str(payment.amount)},
    )


def _no_seat_refund(enrolment: Enrolment, payment: Payment, *, confirmed_by: User | None) -> None:
    """No seat for this money: take it on record, then give it back in full."""
    payment.state = Payment.State.CONFIRMED
    payment.save()
    payment_refund(payment=payment, amount=payment.amount, by=confirmed_by,
                   reason="paid when no seat could be given")
    if enrolment.state in Enrolment.ACTIVE_STATES or enrolment.state == Enrolment.State.CANCELLED:
        enrolment_set_cancelled(
            enrolment, state=Enrolment.State.REFUNDED,
            reason_code=enrolment.cancel_reason or Enrolment.CancelReason.PAYMENT_UNUSABLE,
            actor=confirmed_by, reason="paid when no seat could be given",
        )
    email_enrolment(enrolment, "cancelled", refund=f"{payment.amount:.2f}", no_seat=True)


@transaction.atomic
def purchase_payment_confirm(
    *,
    payment_id: int,
    confirmed_by: User | None = None,
    provider_payment_id: str = "",
    method: str = "",
) -> Payment:
    """`payment_confirm` for a purchase of a registered kind (`lms.purchases`): the money is
    recorded once and handed to the kind's `paid`; a purchase already paid through another
    checkout, or one the kind can no longer deliver, is refunded in full."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.state in Payment.PAID_STATES:
        return payment
    payment.provider_payment_id = provider_payment_id or payment.provider_payment_id
    payment.method = method or payment.method
    payment.confirmed_at = current_time()
    payment.confirmed_by = confirmed_by
    same_purchase = Payment.objects.filter(purchase_kind=payment.purchase_kind,
                                           purchase_key=payment.purchase_key)
    if same_purchase.filter(state=Payment.State.CONFIRMED).exists():
        _duplicate_refund(payment, payment, confirmed_by=confirmed_by)
        return payment
    payment.state = Payment.State.CONFIRMED
    payment.save()
    audit_record(
        actor=confirmed_by, action="lms.purchase.paid", target=payment,
        data={"kind": payment.purchase_kind, "key": payment.purchase_key,
              "provider": payment.provider, "amount": str(payment.amount),
              "method": payment.method},
    )
    kind = purchase_kind_get(payment.purchase_kind)
    if kind.paid(payment.purchase_key, payment=payment, by=confirmed_by):
        payments_close(same_purchase, provider=None)
    else:
        payment_refund(payment=payment, amount=payment.amount, by=confirmed_by,
                       reason="paid when the purchase could no longer be delivered")
    return payment


@transaction.atomic
def purchase_payment_expire(*, payment_id: int) -> Payment:
    """`payment_expire` for a purchase of a registered kind: the checkout ended unpaid."""
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.state != Payment.State.CREATED:
        return payment
    payment.state = Payment.State.EXPIRED
    payment.save(update_fields=["state"])
    purchase_kind_get(payment.purchase_kind).expired(payment.purchase_key, payment=payment)
    return payment


def payment_refund(*, payment: Payment, amount: Decimal, by: User | None, reason: str) -> Refund:
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
        actor=by, action="lms.payment.refunded", target=payment.enrolment or payment,
        reason=reason,
        data={"payment": payment.pk, "amount": str(amount), "provider": payment.provider,
              "refund": refund.pk, "state": refund.state},
    )
    if payment.enrolment_id is None:
        purchase_kind_get(payment.purchase_kind).refunded(
            payment.purchase_key, payment=payment, refund=refund, by=by)
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
    refund = Refund.objects.select_for_update(of=SELF_ONLY).select_related(
        "payment__enrolment"
    ).get(pk=refund_id)
    if refund.state == Refund.State.DONE:
        return refund
    refund.state = Refund.State.DONE
    refund.provider_reference = reference or refund.provider_reference
    refund.save(update_fields=["state", "provider_reference"])
    audit_record(
        actor=by, action="lms.refund.done", target=refund.payment.enrolment or refund.payment,
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
    today = timezone.localdate(current_time())
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
) -> Payment:
    """A course admin confirms that the company's transfer has arrived: how much, and on which
    day (as the bank statement shows it). Only the exact amount due is accepted; a short or
    excess transfer is refused, to be settled with the company first. Once confirmed it stays
    confirmed: a second call changes nothing (the first amount and date are kept)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.provider != "bank_transfer":
        raise PaymentError(_("Only bank transfers are confirmed by hand."), code="provider")
    if payment.state in Payment.PAID_STATES:
        return _bank_confirmed(payment_id)
    bank_transfer_check(payment=payment, amount_received=amount_received,
                        received_on=received_on)
    if payment.state == Payment.State.EXPIRED:
        # A transfer for a checkout that lapsed: confirm it all the same (seat if free).
        Payment.objects.filter(pk=payment.pk).update(state=Payment.State.CREATED)
    _payment_confirm_any(payment, confirmed_by=by, method="bank")
    # payment_confirm holds the payment's row lock until commit: only the first confirmation
    # records what arrived.
    recorded = Payment.objects.filter(pk=payment.pk, received_on__isnull=True).update(
        amount_received=amount_received, received_on=received_on
    )
    if recorded:
        audit_record(
            actor=by, action="lms.payment.received", target=payment.enrolment or payment,
            data={"payment": payment.pk, "amount_received": f"{amount_received:.2f}",
                  "received_on": received_on.isoformat()},
        )
    return _bank_confirmed(payment_id)


def _bank_confirmed(payment_id: int) -> Payment:
    return Payment.objects.select_related("enrolment", "confirmed_by").get(pk=payment_id)


def _payment_confirm_any(
    payment: Payment, *, confirmed_by: User | None = None, provider_payment_id: str = "",
    method: str = "",
) -> None:
    """Confirm a payment for a course seat or for a registered purchase."""
    confirm = payment_confirm if payment.enrolment_id is not None else purchase_payment_confirm
    confirm(payment_id=payment.pk, confirmed_by=confirmed_by,
            provider_payment_id=provider_payment_id, method=method)


@transaction.atomic
def payment_expire(*, payment_id: int) -> Payment:
    """A checkout ended unpaid (Stripe's `checkout.session.expired`, or our hold ran out):
    release the seat unless another checkout for the enrolment is still open."""
    payment_row = Payment.objects.select_related("enrolment").get(pk=payment_id)
    if payment_row.enrolment is None:
        return purchase_payment_expire(payment_id=payment_id)
    cohort = cohort_lock(payment_row.enrolment.cohort_id)
    enrolment = enrolment_lock(payment_row.enrolment.pk)
    payment = Payment.objects.select_for_update().get(pk=payment_id)
    if payment.state != Payment.State.CREATED:
        return payment
    payment.state = Payment.State.EXPIRED
    payment.save(update_fields=["state"])
    now = current_time()
    other_open = enrolment.payments.filter(
        state=Payment.State.CREATED, expires_at__gt=now
    ).exists()
    if enrolment.state == Enrolment.State.PENDING_PAYMENT and not other_open:
        enrolment_set_cancelled(
            enrolment, state=Enrolment.State.CANCELLED,
            reason_code=Enrolment.CancelReason.EXPIRED, actor=None,
            reason="checkout expired unpaid", data={"payment": payment.pk},
        )
        waitlist_offer_on_commit(cohort.pk)
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
        _payment_confirm_any(
            payment, provider_payment_id=status.payment_id, method=status.method
        )
        return "paid"
    if status.open:
        return "open"
    if payment.state == Payment.State.CREATED:
        payment_expire(payment_id=payment.pk)
    return "expired"


@transaction.atomic
def payments_reconcile() -> dict[str, int]:
    """Find money without a seat and seats without money. Each mismatch is recorded once and
    reported to course admins once; mismatches that went away are marked resolved."""
    # Payments for other purchases (no enrolment) have no seat to compare with.
    paid_not_confirmed: dict[int, Payment] = {
        p.enrolment_id: p
        for p in Payment.objects.filter(state=Payment.State.CONFIRMED).exclude(
            enrolment__state__in=Enrolment.SEATED_STATES
        )
        if p.enrolment_id is not None
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
    now = current_time()
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
                context={"issues": rows, "dashboard_url": site_url("lms:staff_dashboard")},
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
    from ..payments.stripe_checkout import event_construct, event_session_id

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
