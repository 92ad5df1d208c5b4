"""Company bank transfer (对公转账): instructions with a reference; a course admin confirms."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..purchases import payment_terms
from .base import CheckoutStart, CheckoutStatus, PaymentProvider

if TYPE_CHECKING:
    from ..models import Payment, Refund


class BankTransferProvider(PaymentProvider):
    identifier = "bank_transfer"
    verbose_name = _("Company bank transfer (with fapiao)")
    confirmed_by_staff = True

    def checkout_start(
        self, payment: Payment, *, success_url: str, cancel_url: str
    ) -> CheckoutStart:
        terms = payment_terms(payment)
        expires_at = timezone.now() + datetime.timedelta(days=settings.LMS_BANK_TRANSFER_HOLD_DAYS)
        # A seat is never held past the enrolment deadline.
        if terms.hold_until is not None:
            expires_at = min(expires_at, max(terms.hold_until, timezone.now()))
        account = settings.LMS_BANK_ACCOUNT
        return CheckoutStart(
            reference=terms.reference,
            expires_at=expires_at,
            instructions={
                "account_name": account["name"],
                "bank": account["bank"],
                "account_number": account["number"],
                "amount": f"{payment.amount:.2f}",
                "currency": payment.currency,
                "reference": terms.reference,
            },
        )

    def checkout_status(self, payment: Payment) -> CheckoutStatus:
        # Only a person can see the bank statement: the state is ours.
        return CheckoutStatus(paid=payment.state == payment.State.CONFIRMED, open=True)

    def refund_execute(self, refund: Refund) -> tuple[bool, str]:
        # Finance transfers the money back and a course admin marks the refund done.
        return False, ""
