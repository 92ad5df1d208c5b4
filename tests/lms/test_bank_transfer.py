"""Company bank transfer (对公转账): fapiao details, instructions, staff confirmation."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEntry
from lms import services
from lms.models import Enrolment, FapiaoRequest, Payment, Refund
from lms.validators import credit_code_is_valid

from .conftest import valid_credit_code


def _fapiao(**overrides: str) -> dict[str, str]:
    data = {
        "company_name": "示例客服中心有限公司",
        "taxpayer_id": "91350100M000100Y43",
        "address": "北京市海淀区示例路1号 010-12345678",
        "bank": "中国工商银行北京示例支行 0200000000000000000",
        "email": "finance@example.com",
    }
    data.update(overrides)
    return data


def _received(payment: Payment) -> dict[str, Any]:
    """The amount due, arrived today: what a course admin reads off a matching statement."""
    return {"amount_received": payment.amount, "received_on": timezone.localdate()}


@pytest.fixture
def pending(cohort_factory, user_factory):  # type: ignore[no-untyped-def]
    trainee = user_factory()
    enrolment = services.enrolment_create(user=trainee, cohort_id=cohort_factory().pk)
    return trainee, enrolment


def test_unified_social_credit_code_check_digit():
    assert credit_code_is_valid("91350100M000100Y43")
    assert credit_code_is_valid(valid_credit_code())
    assert not credit_code_is_valid("91350100M000100Y44")  # one character off
    assert not credit_code_is_valid("91350100M000100Y4")
    assert not credit_code_is_valid("91350100M000100I43")  # I is not used


@pytest.mark.parametrize(
    ("taxpayer_id", "message"),
    [
        ("91350100M000100Y44", "校验位不正确"),
        ("1234", "应为 18 位统一社会信用代码"),
        ("91350100M000100O43", "不含 I、O、Z、S、V"),
    ],
)
def test_invalid_taxpayer_id_gets_a_clear_message_and_holds_nothing_new(
    client, pending, taxpayer_id, message
):
    trainee, enrolment = pending
    client.force_login(trainee)
    response = client.post(f"/training/enrolments/{enrolment.reference}/pay/bank/",
                           _fapiao(taxpayer_id=taxpayer_id))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Payment.objects.exists()
    assert not FapiaoRequest.objects.exists()


def test_bank_transfer_instructions_then_staff_confirmation_confirms_once(
    client, pending, user_factory, django_capture_on_commit_callbacks
):
    trainee, enrolment = pending
    client.force_login(trainee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/training/enrolments/{enrolment.reference}/pay/bank/",
                               _fapiao(taxpayer_id="91350100m000100y43"), follow=True)
    page = response.content.decode()
    assert "对公转账说明" in page and enrolment.reference in page and "¥6800.00" in page
    fapiao = FapiaoRequest.objects.get(enrolment=enrolment)
    assert fapiao.taxpayer_id == "91350100M000100Y43"
    payment = Payment.objects.get(enrolment=enrolment)
    assert (payment.provider, payment.state, payment.amount) == (
        "bank_transfer", "created", enrolment.price)
    enrolment.refresh_from_db()
    # The seat is held for the transfer to arrive (days, not minutes).
    assert enrolment.hold_expires_at > timezone.now() + datetime.timedelta(days=1)
    assert any("对公转账说明" in m.subject for m in mail.outbox)

    # Trainees cannot confirm their own transfer.
    assert client.post(f"/training/staff/payments/{payment.pk}/confirm/").status_code == 403

    admin = user_factory(roles=["course_admin"])
    client.force_login(admin)
    listing = client.get("/training/staff/payments/").content.decode()
    assert enrolment.reference in listing and "示例客服中心有限公司" in listing
    mail.outbox.clear()
    receipt = {"amount_received": "6800.00", "received_on": timezone.localdate().isoformat()}
    # First a page that says what confirming does; nothing is confirmed yet.
    page = client.post(f"/training/staff/payments/{payment.pk}/confirm/", receipt)
    assert "无法撤销" in page.content.decode()
    payment.refresh_from_db()
    assert payment.state == Payment.State.CREATED
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/training/staff/payments/{payment.pk}/confirm/", {**receipt, "confirmed": "1"})
        client.post(f"/training/staff/payments/{payment.pk}/confirm/", {**receipt, "confirmed": "1"})

    enrolment.refresh_from_db()
    payment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
    assert payment.state == Payment.State.CONFIRMED
    assert payment.confirmed_by == admin
    confirmed = AuditEntry.objects.for_object(enrolment).filter(action="lms.enrolment.confirmed")
    assert confirmed.count() == 1 and confirmed.get().actor == admin
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["付款已确认"]
    assert "收据编号" in mail.outbox[0].body


def test_late_transfer_is_seated_when_a_seat_is_free(pending, user_factory):
    trainee, enrolment = pending
    payment = services.checkout_start(enrolment_id=enrolment.pk, user=trainee,
                                      provider="bank_transfer", fapiao=_fapiao()).payment
    Payment.objects.filter(pk=payment.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    Enrolment.objects.filter(pk=enrolment.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    services.holds_expire()
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CANCELLED

    services.bank_transfer_confirm(payment_id=payment.pk, by=user_factory(roles=["course_admin"]),
                                   **_received(payment))
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED


def test_late_transfer_with_no_seat_left_is_recorded_and_refunded(
    client, cohort_factory, user_factory
):
    cohort = cohort_factory(capacity=1)
    late = user_factory()
    enrolment = services.enrolment_create(user=late, cohort_id=cohort.pk)
    payment = services.checkout_start(enrolment_id=enrolment.pk, user=late,
                                      provider="bank_transfer", fapiao=_fapiao()).payment
    Enrolment.objects.filter(pk=enrolment.pk).update(
        hold_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    Payment.objects.filter(pk=payment.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1))
    services.holds_expire()
    services.enrolment_create(user=user_factory(), cohort_id=cohort.pk)  # seat taken

    admin = user_factory(roles=["course_admin"])
    client.force_login(admin)
    response = client.post(f"/training/staff/payments/{payment.pk}/confirm/",
                           {**_received(payment), "confirmed": "1"}, follow=True)

    assert "已无名额" in response.content.decode()
    payment.refresh_from_db()
    enrolment.refresh_from_db()
    assert payment.state == Payment.State.REFUNDED
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount, refund.state) == (payment.amount, Refund.State.PENDING)
    assert enrolment.state == Enrolment.State.REFUNDED
    # Finance transfers it back and marks it done.
    client.post(f"/training/staff/refunds/{refund.pk}/done/", {"reference": "BANK-123"})
    refund.refresh_from_db()
    assert refund.state == Refund.State.DONE


def test_checkout_api_with_invalid_taxpayer_id_is_refused(client, pending):
    trainee, enrolment = pending
    client.force_login(trainee)
    response = client.post(
        f"/api/v1/lms/enrolments/{enrolment.reference}/checkout",
        {"provider": "bank_transfer", "fapiao": _fapiao(taxpayer_id="91350100M000100Y44")},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "校验位不正确" in response.json()["detail"]
    assert not Payment.objects.exists()


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("email", "notanemail", "有效的 Email 地址"),
    ("company_name", "公" * 1_000_000, "200"),  # a 1 MB name: PostgreSQL's varchar(200) refused it
])
def test_checkout_api_checks_fapiao_details_as_the_form_does(client, pending, field, value,
                                                            problem):
    trainee, enrolment = pending
    client.force_login(trainee)
    response = client.post(
        f"/api/v1/lms/enrolments/{enrolment.reference}/checkout",
        {"provider": "bank_transfer", "fapiao": _fapiao(**{field: value})},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "fapiao" and problem in response.json()["detail"]
    assert not Payment.objects.exists() and not FapiaoRequest.objects.exists()


def test_mail_sent_by_a_chinese_speaking_admin_reaches_an_english_reader_in_english(
        user_factory, cohort_factory, django_capture_on_commit_callbacks):
    from django.core import mail
    from django.utils import translation

    reader = user_factory(email="reader@example.com", language="en")
    cohort = cohort_factory()
    enrolment = services.enrolment_create(user=reader, cohort_id=cohort.pk)
    payment = services.checkout_start(enrolment_id=enrolment.pk, user=reader,
                                      provider="bank_transfer", fapiao=_fapiao()).payment
    mail.outbox.clear()
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        services.bank_transfer_confirm(payment_id=payment.pk,
                                       by=user_factory(roles=["course_admin"]),
                                       **_received(payment))
    (message,) = [m for m in mail.outbox if m.to == ["reader@example.com"]]
    assert message.subject.startswith("Payment confirmed"), message.subject
