"""The review fee is paid as a course is: a bank transfer with fapiao details confirmed by staff on
the training payments page, or Stripe Checkout confirmed by its signed webhook (only Stripe's
HTTP API is faked). Paying submits the application, once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEntry
from lms import services as lms_services
from lms.models import FapiaoRequest, Payment
from reviews import services
from reviews.models import ProjectState
from tests.lms.conftest import send_stripe_event, stripe_api  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

FAPIAO = {"company_name": "示例客服中心有限公司", "taxpayer_id": "91350100m000100y43",
          "address": "北京市示例路1号 010-12345678", "bank": "示例银行 6222000000000000",
          "email": "finance@example.com"}


def _payments(project):  # type: ignore[no-untyped-def]
    return Payment.objects.filter(purchase_kind=services.FEE_KIND, purchase_key=str(project.pk))


def test_the_fee_is_a_setting_with_a_sample_default(settings, draft):
    assert services.fee_amount() == Decimal("50000.00")
    settings.REVIEWS_FEE = 36000
    assert services.fee_amount() == Decimal("36000.00")


def test_bank_transfer_with_fapiao_then_staff_confirmation_submits_once(
        client, applicant, draft, user_factory, cert_admin, django_capture_on_commit_callbacks):
    client.force_login(applicant.admin)
    url = reverse("reviews:application_pay_bank", args=[draft.pk])
    bad = client.post(url, {**FAPIAO, "taxpayer_id": "123"})
    assert bad.status_code == 400 and 'value="示例客服中心有限公司"' in bad.content.decode()
    client.post(url, FAPIAO)
    client.post(url, FAPIAO)  # again: the same transfer, the same reference
    payment = _payments(draft).get()
    assert (payment.provider, payment.state, payment.amount, payment.provider_reference) == (
        "bank_transfer", "created", Decimal("50000.00"), draft.reference)
    assert payment.enrolment is None
    fapiao = FapiaoRequest.objects.get(purchase_kind=services.FEE_KIND,
                                       purchase_key=str(draft.pk))
    assert fapiao.taxpayer_id == "91350100M000100Y43"
    page = client.get(reverse("reviews:application", args=[draft.pk])).content.decode()
    assert 'data-testid="bank-reference">RV' in page and "50000.00" in page
    assert 'data-copy="bank-reference"' in page and 'data-copy="bank-account-number"' in page
    draft.refresh_from_db()
    assert draft.state == ProjectState.DRAFT  # not submitted until the money arrives

    # The applicant cannot confirm their own transfer; a course admin does, on the course page.
    assert client.post(f"/training/staff/payments/{payment.pk}/confirm/").status_code == 403
    finance = user_factory(roles=["course_admin"])
    client.force_login(finance)
    listing = client.get("/training/staff/payments/").content.decode()
    assert draft.reference in listing and "示例客服中心有限公司" in listing
    receipt = {"amount_received": "50000.00", "received_on": timezone.localdate().isoformat()}
    page = client.post(f"/training/staff/payments/{payment.pk}/confirm/", receipt)
    assert draft.reference in page.content.decode() and "无法撤销" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/training/staff/payments/{payment.pk}/confirm/",
                    {**receipt, "confirmed": "1"})
        client.post(f"/training/staff/payments/{payment.pk}/confirm/",
                    {**receipt, "confirmed": "1"})
    payment.refresh_from_db()
    draft.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED and payment.confirmed_by == finance
    assert payment.amount_received == Decimal("50000.00")
    assert draft.state == ProjectState.SUBMITTED and draft.submitted_at is not None
    submitted = AuditEntry.objects.for_object(draft).filter(
        action="reviews.application.submitted")
    assert submitted.count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.admin.email,
                                                           cert_admin.email])
    assert services.fee_paid(draft)
    # Paid once: no second checkout.
    with pytest.raises(DomainError):
        services.fee_checkout_start(project=draft, by=applicant.admin, provider="bank_transfer",
                                    fapiao=FAPIAO)


def test_a_short_transfer_is_refused(draft, applicant, user_factory):
    payment = services.fee_checkout_start(project=draft, by=applicant.admin,
                                          provider="bank_transfer", fapiao=FAPIAO).payment
    with pytest.raises(lms_services.PaymentError):
        lms_services.bank_transfer_confirm(
            payment_id=payment.pk, by=user_factory(roles=["course_admin"]),
            amount_received=Decimal("5000.00"), received_on=timezone.localdate())
    draft.refresh_from_db()
    assert draft.state == ProjectState.DRAFT


def test_a_payment_is_for_exactly_one_purchase(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(provider="bank_transfer", amount=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(provider="bank_transfer", amount=Decimal("1.00"),
                               purchase_kind=services.FEE_KIND, purchase_key="")


@pytest.fixture
def stripe_started(stripe_api, client, applicant, draft):  # noqa: F811
    client.force_login(applicant.admin)
    response = client.post(reverse("reviews:application_pay_stripe", args=[draft.pk]))
    payment = _payments(draft).get()
    session = stripe_api.sessions[payment.provider_reference]
    assert response.status_code == 302 and response["Location"] == session["url"]
    return payment, session


def test_stripe_checkout_for_the_fee_in_cny(stripe_started, stripe_api, draft):  # noqa: F811
    _method, path, params = stripe_api.requests[0]
    assert path == "/v1/checkout/sessions"
    assert params["line_items[0][price_data][unit_amount]"] == ["5000000"]
    assert params["client_reference_id"] == [draft.reference]
    assert params["metadata[review_project_id]"] == [str(draft.pk)]
    assert "enrolment_id" not in " ".join(params)


def test_the_signed_webhook_submits_the_application_once(
        stripe_started, stripe_api, send_stripe_event, draft,  # noqa: F811
        django_capture_on_commit_callbacks):
    payment, session = stripe_started
    stripe_api.pay(session["id"], method="alipay")
    forged = send_stripe_event("checkout.session.completed", session, secret="whsec_wrong")
    assert forged.status_code == 400
    draft.refresh_from_db()
    assert draft.state == ProjectState.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        first = send_stripe_event("checkout.session.completed", session, event_id="evt_fee")
        replay = send_stripe_event("checkout.session.completed", session, event_id="evt_fee")
    assert first.json()["outcome"] == "paid" and replay.json()["outcome"] == "duplicate"
    payment.refresh_from_db()
    draft.refresh_from_db()
    assert payment.state == Payment.State.CONFIRMED and payment.method == "alipay"
    assert draft.state == ProjectState.SUBMITTED
    assert AuditEntry.objects.for_object(draft).filter(
        action="reviews.application.submitted").count() == 1


def test_back_from_stripe_the_checkout_is_re_read(
        stripe_started, stripe_api, client, draft):  # noqa: F811
    _payment, session = stripe_started
    client.get(reverse("reviews:application_paid", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == ProjectState.DRAFT  # still open at Stripe
    stripe_api.pay(session["id"], method="card")
    client.get(reverse("reviews:application_paid", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == ProjectState.SUBMITTED


def test_the_course_sweep_leaves_an_open_fee_checkout_alone(stripe_started, draft):
    payment, _session = stripe_started
    lms_services.holds_expire()
    payment.refresh_from_db()
    assert payment.state == Payment.State.CREATED


def test_a_second_checkout_paid_after_the_first_is_refunded_in_full(
        stripe_started, stripe_api, client, draft, applicant):  # noqa: F811
    first, first_session = stripe_started
    second = services.fee_checkout_start(project=draft, by=applicant.admin, provider="stripe",
                                         success_url="http://testserver/ok",
                                         cancel_url="http://testserver/back").payment
    # Both were paid at Stripe (the first before it was closed).
    stripe_api.pay(first_session["id"])
    stripe_api.pay(second.provider_reference)
    assert lms_services.payment_sync(payment_id=second.pk) == "paid"
    assert lms_services.payment_sync(payment_id=first.pk) == "paid"
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.state == Payment.State.CONFIRMED
    assert first.state == Payment.State.REFUNDED and first.refunded_amount == first.amount
    draft.refresh_from_db()
    assert draft.state == ProjectState.SUBMITTED
