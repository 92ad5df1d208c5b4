"""What lms's audit entries are called in the interface (core.selectors.audit_action_label).
The codes stay in the log, stable for exports and queries; people read these labels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "lms.enrolment.pending_payment": _("Enrolled, awaiting payment"),
    "lms.enrolment.waitlisted": _("Put on the waiting list"),
    "lms.enrolment.confirmed": _("Payment confirmed, seat confirmed"),
    "lms.enrolment.completed": _("Course completed"),
    "lms.enrolment.cancelled": _("Enrolment cancelled"),
    "lms.enrolment.refunded": _("Enrolment cancelled and refunded"),
    "lms.enrolment.waitlist_offered": _("Seat offered from the waiting list"),
    "lms.payment.started": _("Payment started"),
    "lms.purchase.paid": _("Payment confirmed for a purchase"),
    "lms.payment.received": _("Bank transfer received (amount and date recorded)"),
    "lms.payment.duplicate_refunded": _("Duplicate payment refunded"),
    "lms.payment.refunded": _("Payment refunded"),
    "lms.refund.done": _("Refund completed"),
    "lms.cohort.cancelled": _("Cohort cancelled"),
    "lms.attendance.marked": _("Attendance marked"),
    "lms.reconciliation.found": _("Payment reconciliation found a difference"),
}
