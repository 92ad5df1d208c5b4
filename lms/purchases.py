"""What a payment buys. A course seat (an `Enrolment`) is lms's own purchase; other apps sell
through the same providers and payment services by registering a `PurchaseKind` in their
AppConfig.ready (lms never imports them). A payment for a registered kind carries its
`purchase_kind` and `purchase_key` instead of an enrolment.
"""

from __future__ import annotations

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Payment, Refund


@dataclass(frozen=True)
class PurchaseTerms:
    """What is bought, as the providers, the payment pages and staff need to see it."""

    title: str
    amount: Decimal
    # The bank transfer reference and Stripe's client_reference_id.
    reference: str
    payer_name: str
    payer_email: str
    # A checkout is never held past this moment (a course: its enrolment deadline).
    hold_until: datetime.datetime | None = None
    # Sent to Stripe with the session and its PaymentIntent, to find the purchase from there.
    metadata: dict[str, str] = field(default_factory=dict)


class PurchaseKind(ABC):
    """One kind of thing sold (a review fee, …), identified by a short key of its own."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[str | Promise]

    @abstractmethod
    def terms(self, key: str) -> PurchaseTerms: ...

    def terms_many(self, keys: list[str]) -> dict[str, PurchaseTerms]:
        """The terms of several purchases (staff lists); a kind overrides this to read them in
        one query."""
        return {key: self.terms(key) for key in keys}

    @abstractmethod
    def payable_check(self, key: str, *, user: User) -> None:
        """Raise a `DomainError` (its message shown to `user`) unless `user` may pay for the
        purchase now. Called inside the transaction that opens the payment."""

    @abstractmethod
    def paid(self, key: str, *, payment: Payment, by: User | None) -> bool:
        """The money for the purchase has arrived (once per purchase, inside the payment's
        transaction). Return False when it can no longer be delivered: lms then refunds it."""

    def refunded(self, key: str, *, payment: Payment, refund: Refund, by: User | None) -> None:
        """Money of a paid purchase went back (nothing to do by default)."""
        return None

    def expired(self, key: str, *, payment: Payment) -> None:
        """A checkout for the purchase ended unpaid (nothing to do by default)."""
        return None


_KINDS: dict[str, PurchaseKind] = {}


def purchase_kind_register(kind: PurchaseKind) -> None:
    """Called from an app's AppConfig.ready; registering the same identifier again replaces it
    (a reloaded app)."""
    _KINDS[kind.identifier] = kind


def purchase_kind_get(identifier: str) -> PurchaseKind:
    try:
        return _KINDS[identifier]
    except KeyError:
        raise LookupError(f"Unknown purchase kind: {identifier}") from None


def payment_terms(payment: Payment) -> PurchaseTerms:
    """The terms of what `payment` buys: its enrolment's seat, or its registered purchase."""
    if payment.enrolment_id is None:
        return purchase_kind_get(payment.purchase_kind).terms(payment.purchase_key)
    enrolment = payment.enrolment
    assert enrolment is not None
    cohort = enrolment.cohort
    return PurchaseTerms(
        title=f"{cohort.course.title} · {cohort.title}",
        amount=enrolment.price,
        reference=enrolment.reference,
        payer_name=enrolment.user.display_name,
        payer_email=enrolment.user.email,
        hold_until=cohort.enrolment_deadline,
        metadata={"enrolment_id": str(enrolment.pk)},
    )
