"""Every write in lms, one topic per module. Seats and money are decided under a row lock on the
cohort.

Lock order, always: cohort → enrolment → payment. Provider calls (HTTP to Stripe) are made
outside the seat lock where possible (checkout start); a refund is made inside its
transaction so that a failed refund changes nothing.

- `enrolment`: holding a seat, cancelling, lapsed holds, waitlist offers;
- `checkout`: starting a payment for a seat or for a registered purchase (`lms.purchases`), and
  the fapiao details a bank transfer needs;
- `payments`: confirming a payment once, refunds, bank transfers, expiry, re-reading a checkout
  at its provider, reconciliation, Stripe events;
- `attendance`: attendance, completion and its exceptions;
- `cohorts`: cancelling a cohort;
- `reminders`: the reminder before day one;
- `notifications`: the emails to trainees;
- `common`: the row locks, seat counts and checks the topics share.

Callers import from `lms.services`; the errors live in `lms.errors` and the reads in
`lms.selectors` (`refund_amount_for` is re-exported here for the callers that look for it here).
"""

from __future__ import annotations

from ..errors import (
    AlreadyEnrolled,
    CohortFull,
    CohortUnavailable,
    EnrolmentStateError,
    LmsError,
    PaymentError,
)
from ..payments import ProviderError
from ..selectors import refund_amount_for
from .attendance import attendance_mark, enrolment_complete_exception
from .checkout import CheckoutResult, checkout_start, purchase_checkout_start
from .cohorts import cohort_cancel
from .common import REFERENCE_ALPHABET
from .enrolment import (
    cancel_refund_for,
    enrolment_cancel,
    enrolment_create,
    holds_expire,
    waitlist_offer_next,
)
from .payments import (
    bank_transfer_check,
    bank_transfer_confirm,
    payment_confirm,
    payment_expire,
    payment_sync,
    payments_reconcile,
    purchase_payment_confirm,
    purchase_payment_expire,
    refund_mark_done,
    stripe_event_receive,
)
from .reminders import reminders_send

__all__ = [
    "REFERENCE_ALPHABET",
    "AlreadyEnrolled",
    "CheckoutResult",
    "CohortFull",
    "CohortUnavailable",
    "EnrolmentStateError",
    "LmsError",
    "PaymentError",
    "ProviderError",
    "attendance_mark",
    "bank_transfer_check",
    "bank_transfer_confirm",
    "cancel_refund_for",
    "checkout_start",
    "cohort_cancel",
    "enrolment_cancel",
    "enrolment_complete_exception",
    "enrolment_create",
    "holds_expire",
    "payment_confirm",
    "payment_expire",
    "payment_sync",
    "payments_reconcile",
    "purchase_checkout_start",
    "purchase_payment_confirm",
    "purchase_payment_expire",
    "refund_amount_for",
    "refund_mark_done",
    "reminders_send",
    "stripe_event_receive",
    "waitlist_offer_next",
]
