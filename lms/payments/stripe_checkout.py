"""Stripe Checkout in CNY with card, Alipay and WeChat Pay. The only module that imports stripe.

Every call goes through one `StripeClient` pinned to `settings.STRIPE_API_VERSION` (and sent to
`settings.STRIPE_API_BASE` when set). Events are verified with Stripe's own signature code; their
content is never trusted: the handler re-reads the Checkout Session (`checkout_status`) before
acting.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import stripe
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ..purchases import payment_terms
from .base import CheckoutStart, CheckoutStatus, PaymentProvider, ProviderError

if TYPE_CHECKING:
    from ..models import Payment, Refund

PAYMENT_METHOD_TYPES = ["card", "alipay", "wechat_pay"]
SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


class SignatureError(Exception):
    """The webhook body or signature is not Stripe's (forged, altered or too old)."""


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_exact())


def from_fen(value: int | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / 100).quantize(Decimal("0.01"))


def _client() -> stripe.StripeClient:
    # STRIPE_API_BASE points the SDK at stripe-mock or the test suite's fake Stripe
    # (tests/fakes/stripe_api.py), so checkout can be exercised end to end off-line.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        stripe_version=settings.STRIPE_API_VERSION,
        base_addresses={"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None,
        max_network_retries=2,
    )


def event_construct(payload: bytes, signature_header: str) -> stripe.Event:
    """Verify the signature with `settings.STRIPE_WEBHOOK_SECRET` (default tolerance: 5 minutes,
    so a replayed old delivery fails too) and parse the event."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise SignatureError("STRIPE_WEBHOOK_SECRET is not set")
    try:
        return stripe.Webhook.construct_event(
            payload, signature_header, settings.STRIPE_WEBHOOK_SECRET
        )
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise SignatureError(str(exc)) from exc


def event_session_id(event: stripe.Event) -> str:
    """The Checkout Session an event is about, or "" when it is not about one."""
    if event.type not in SESSION_EVENTS:
        return ""
    obj: Any = event.data.object
    if getattr(obj, "object", None) != "checkout.session":
        return ""
    return str(getattr(obj, "id", "") or "")


class StripeProvider(PaymentProvider):
    identifier = "stripe"
    verbose_name = _("Card, Alipay or WeChat Pay (Stripe)")

    def is_available(self) -> bool:
        return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)

    def checkout_start(
        self, payment: Payment, *, success_url: str, cancel_url: str
    ) -> CheckoutStart:
        terms = payment_terms(payment)
        metadata = {**terms.metadata, "payment_id": str(payment.pk)}
        expires_at = timezone.now() + datetime.timedelta(
            minutes=max(settings.LMS_STRIPE_CHECKOUT_MINUTES, 31)
        )
        params: dict[str, Any] = {
            "mode": "payment",
            "currency": "cny",
            "payment_method_types": PAYMENT_METHOD_TYPES,
            "payment_method_options": {"wechat_pay": {"client": "web"}},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "cny",
                        "unit_amount": to_fen(payment.amount),
                        "product_data": {"name": terms.title},
                    },
                }
            ],
            "client_reference_id": terms.reference,
            "customer_email": terms.payer_email,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "expires_at": int(expires_at.timestamp()),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "locale": "en" if translation.get_language() == "en" else "zh",
        }
        try:
            session = _client().v1.checkout.sessions.create(
                params,  # type: ignore[arg-type]
                {"idempotency_key": f"ccso-checkout-{payment.pk}"},
            )
        except stripe.StripeError as exc:
            raise ProviderError(exc.user_message or str(exc)) from exc
        return CheckoutStart(
            reference=session.id,
            expires_at=datetime.datetime.fromtimestamp(session.expires_at, tz=datetime.UTC),
            redirect_url=session.url or "",
        )

    def checkout_status(self, payment: Payment) -> CheckoutStatus:
        try:
            session = _client().v1.checkout.sessions.retrieve(
                payment.provider_reference, {"expand": ["payment_intent.payment_method"]}
            )
        except stripe.StripeError as exc:
            raise ProviderError(exc.user_message or str(exc)) from exc
        intent: Any = getattr(session, "payment_intent", None)
        payment_id, method = "", ""
        if isinstance(intent, str):
            payment_id = intent
        elif intent is not None:
            payment_id = getattr(intent, "id", "") or ""
            payment_method = getattr(intent, "payment_method", None)
            if payment_method is not None and not isinstance(payment_method, str):
                method = getattr(payment_method, "type", "") or ""
        return CheckoutStatus(
            paid=session.status == "complete" and session.payment_status == "paid",
            open=session.status == "open",
            amount=from_fen(getattr(session, "amount_total", None)),
            currency=(getattr(session, "currency", None) or "").upper(),
            payment_id=payment_id,
            method=method,
        )

    def checkout_cancel(self, payment: Payment) -> None:
        try:
            _client().v1.checkout.sessions.expire(payment.provider_reference)
        except stripe.InvalidRequestError:
            # Already complete or expired: the caller re-reads the status.
            return
        except stripe.StripeError as exc:
            raise ProviderError(exc.user_message or str(exc)) from exc

    def refund_execute(self, refund: Refund) -> tuple[bool, str]:
        payment = refund.payment
        if not payment.provider_payment_id:
            raise ProviderError("The Stripe payment has no PaymentIntent to refund.")
        try:
            result = _client().v1.refunds.create(
                {
                    "payment_intent": payment.provider_payment_id,
                    "amount": to_fen(refund.amount),
                    "metadata": {"refund_id": str(refund.pk), "payment_id": str(payment.pk)},
                },
                {"idempotency_key": f"ccso-refund-{refund.pk}"},
            )
        except stripe.StripeError as exc:
            raise ProviderError(exc.user_message or str(exc)) from exc
        return result.status in ("succeeded", "pending"), result.id
