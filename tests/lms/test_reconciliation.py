"""The periodic reconciliation: money without a seat, seats without money; idempotent."""

from __future__ import annotations

from django.core import mail

from lms.models import Enrolment, Payment, ReconciliationIssue
from lms.tasks import payments_reconcile


def test_reconciliation_reports_each_mismatch_once_and_resolves_fixed_ones(
    enrolment_factory, user_factory, django_capture_on_commit_callbacks
):
    user_factory(roles=["course_admin"], email="courses@example.com")
    fine = enrolment_factory(state=Enrolment.State.CONFIRMED)
    Payment.objects.create(enrolment=fine, provider="bank_transfer", amount=fine.price,
                           state=Payment.State.CONFIRMED, provider_reference=fine.reference)
    unpaid = enrolment_factory(state=Enrolment.State.CONFIRMED)
    stray = enrolment_factory(state=Enrolment.State.CANCELLED)
    Payment.objects.create(enrolment=stray, provider="stripe", amount=stray.price,
                           state=Payment.State.CONFIRMED, provider_reference="cs_stray")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = payments_reconcile.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = payments_reconcile.delay().get()

    assert first == {"new": 2, "resolved": 0, "open": 2}
    assert second == {"new": 0, "resolved": 0, "open": 2}
    kinds = dict(ReconciliationIssue.objects.values_list("enrolment_id", "kind"))
    assert kinds == {unpaid.pk: "confirmed_not_paid", stray.pk: "paid_not_confirmed"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["courses@example.com"]
    assert unpaid.reference in mail.outbox[0].body and stray.reference in mail.outbox[0].body

    Payment.objects.create(enrolment=unpaid, provider="bank_transfer", amount=unpaid.price,
                           state=Payment.State.CONFIRMED, provider_reference=unpaid.reference)
    assert payments_reconcile.delay().get() == {"new": 0, "resolved": 1, "open": 1}
