"""The interface every payment provider implements (after pretix's `BasePaymentProvider`)."""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from ..models import Payment, Refund


class ProviderError(Exception):
    """The provider could not do what was asked (network, refusal). The message is for staff."""


@dataclass(frozen=True)
class CheckoutStart:
    """What a started checkout gives back: where to send the person (Stripe) or what to tell
    them (bank transfer), and when the checkout stops holding the seat."""

    reference: str
    expires_at: datetime.datetime
    redirect_url: str = ""
    instructions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutStatus:
    """The provider's current view of a checkout, re-read rather than taken from an event."""

    paid: bool
    open: bool
    amount: Decimal | None = None
    currency: str = ""
    payment_id: str = ""
    method: str = ""


class PaymentProvider(ABC):
    identifier: ClassVar[str]
    verbose_name: ClassVar[str | Promise]
    # Whether money arrives by itself (Stripe) or a course admin confirms receipt (bank).
    confirmed_by_staff: ClassVar[bool] = False

    def is_available(self) -> bool:
        return True

    @abstractmethod
    def checkout_start(
        self, payment: Payment, *, success_url: str, cancel_url: str
    ) -> CheckoutStart: ...

    @abstractmethod
    def checkout_status(self, payment: Payment) -> CheckoutStatus:
        """Re-read the checkout's state from the provider."""

    def checkout_cancel(self, payment: Payment) -> None:
        """Make an open checkout unpayable (Stripe: expire the session). Providers with nothing
        to cancel (a bank transfer) keep this default."""
        return None

    @abstractmethod
    def refund_execute(self, refund: Refund) -> tuple[bool, str]:
        """Send the money back. Returns (done now, provider reference); not done means a person
        completes it (a bank transfer back) and marks it done."""
