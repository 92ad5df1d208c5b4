"""Irreversible money actions state their consequence first and keep a record: confirming a
bank transfer asks the amount and date received (exactly the amount due), and cancelling says
what will be refunded. The same on the pages and through /api/v1/lms/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.models import AuditEntry
from lms import services
from lms.models import Enrolment, Payment, Refund

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
TODAY = dt.date(2026, 11, 20)
FAPIAO = {
    "company_name": "示例客服中心有限公司", "taxpayer_id": "91350100M000100Y43",
    "address": "北京市海淀区示例路1号 010-12345678",
    "bank": "中国工商银行北京示例支行 0200000000000000000", "email": "finance@example.com",
}


@pytest.fixture
def transfer(time_machine, cohort_factory, user_factory):  # type: ignore[no-untyped-def]
    """A trainee's bank transfer awaiting confirmation, for a cohort starting in 10 days."""
    time_machine.move_to(NOW, tick=False)
    trainee = user_factory()
    enrolment = services.enrolment_create(user=trainee,
                                          cohort_id=cohort_factory(starts_in_days=10).pk)
    payment = services.checkout_start(enrolment_id=enrolment.pk, user=trainee,
                                      provider="bank_transfer", fapiao=FAPIAO).payment
    return trainee, enrolment, payment


@pytest.fixture
def admin(user_factory):  # type: ignore[no-untyped-def]
    return user_factory(roles=["course_admin"], name_zh="王会计")


def test_confirming_records_the_amount_and_date_received_once(transfer, admin):
    _, enrolment, payment = transfer
    services.bank_transfer_confirm(payment_id=payment.pk, by=admin,
                                   amount_received=Decimal("6800.00"), received_on=TODAY)
    # A second confirmation (another tab, a retry) changes nothing that was recorded.
    services.bank_transfer_confirm(payment_id=payment.pk, by=admin,
                                   amount_received=Decimal("6800.00"),
                                   received_on=TODAY - dt.timedelta(days=3))
    payment.refresh_from_db()
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
    assert (payment.amount_received, payment.received_on, payment.confirmed_by) == (
        Decimal("6800.00"), TODAY, admin)
    (entry,) = AuditEntry.objects.for_object(enrolment).filter(action="lms.payment.received")
    assert entry.actor == admin
    assert entry.data["amount_received"] == "6800.00" and entry.data["received_on"] == "2026-11-20"


@pytest.mark.parametrize(("amount", "received_on", "message"), [
    (Decimal("6000.00"), TODAY, "到账金额（¥6000.00）与应付金额（¥6800.00）不符"),
    (Decimal("6800.01"), TODAY, "到账金额（¥6800.01）与应付金额（¥6800.00）不符"),
    (Decimal("6800.00"), TODAY + dt.timedelta(days=1), "到账日期不能晚于今天"),
    (Decimal("6800.00"), TODAY - dt.timedelta(days=400), "到账日期早于转账说明发出的日期"),
])
def test_a_transfer_that_does_not_match_is_refused_and_nothing_changes(
    client, transfer, admin, amount, received_on, message
):
    _, enrolment, payment = transfer
    client.force_login(admin)
    for confirmed in ("", "1"):  # refused on the way to the confirmation page, and at it
        response = client.post(
            f"/training/staff/payments/{payment.pk}/confirm/",
            {"amount_received": str(amount), "received_on": received_on.isoformat(),
             "confirmed": confirmed}, follow=True)
        assert message in response.content.decode()
    payment.refresh_from_db()
    enrolment.refresh_from_db()
    assert payment.state == Payment.State.CREATED and payment.received_on is None
    assert enrolment.state == Enrolment.State.PENDING_PAYMENT


def test_the_confirmation_page_states_the_consequence_and_changes_nothing(
    client, transfer, admin
):
    _, _, payment = transfer
    client.force_login(admin)
    page = client.post(f"/training/staff/payments/{payment.pk}/confirm/",
                       {"amount_received": "6800", "received_on": "2026-11-20"}).content.decode()
    assert "¥6800.00" in page and "2026-11-20" in page and "示例客服中心有限公司" in page
    assert "此操作无法撤销" in page and "收据" in page
    assert 'name="confirmed" value="1"' in page
    payment.refresh_from_db()
    assert payment.state == Payment.State.CREATED


def test_the_payments_page_lists_confirmed_transfers_newest_first(
    client, time_machine, transfer, admin, cohort_factory, user_factory
):
    _, first, first_payment = transfer
    services.bank_transfer_confirm(payment_id=first_payment.pk, by=admin,
                                   amount_received=Decimal("6800.00"), received_on=TODAY)
    time_machine.move_to(NOW + dt.timedelta(days=1), tick=False)
    other = user_factory()
    second = services.enrolment_create(user=other, cohort_id=cohort_factory().pk)
    second_payment = services.checkout_start(enrolment_id=second.pk, user=other,
                                             provider="bank_transfer", fapiao=FAPIAO).payment
    client.force_login(admin)
    client.post(f"/training/staff/payments/{second_payment.pk}/confirm/",
                {"amount_received": "6800.00", "received_on": "2026-11-21", "confirmed": "1"})

    page = client.get("/training/staff/payments/").content.decode()
    history = page[page.index('data-testid="confirmed-transfers"'):]
    assert history.index(second.reference) < history.index(first.reference)
    row = history[history.index(f'data-testid="confirmed-{second.reference}"'):]
    row = row[:row.index("</tr>")]
    assert "¥6800.00" in row and "2026-11-21" in row and "王会计" in row
    # It is no longer among the transfers awaiting confirmation.
    assert f'data-testid="bank-{second.reference}"' not in page


def test_cancelling_asks_first_and_states_the_refund(client, transfer, admin):
    trainee, enrolment, payment = transfer
    services.bank_transfer_confirm(payment_id=payment.pk, by=admin,
                                   amount_received=Decimal("6800.00"), received_on=TODAY)
    client.force_login(trainee)
    detail = client.get(f"/training/enrolments/{enrolment.reference}/").content.decode()
    assert f'href="/training/enrolments/{enrolment.reference}/cancel/"' in detail

    page = client.get(f"/training/enrolments/{enrolment.reference}/cancel/").content.decode()
    # 10 days before day 1: the default policy refunds 50%.
    assert "将退款 <strong>¥3400.00</strong>" in page and "无法撤销" in page
    assert 'class="button-danger"' in page
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED

    client.post(f"/training/enrolments/{enrolment.reference}/cancel/")
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.REFUNDED
    assert Refund.objects.get(payment=payment).amount == Decimal("3400.00")


def test_nobody_else_sees_the_cancellation_page(client, transfer, user_factory):
    _, enrolment, _ = transfer
    client.force_login(user_factory())
    assert client.get(f"/training/enrolments/{enrolment.reference}/cancel/").status_code == 404


# --- API
def test_api_course_admin_confirms_a_transfer_with_amount_and_date(client, transfer, admin):
    _, enrolment, payment = transfer
    client.force_login(admin)
    url = f"/api/v1/lms/staff/payments/{payment.pk}/confirm"
    refused = client.post(url, {"amount_received": "680.00", "received_on": "2026-11-20"},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "amount_mismatch"

    response = client.post(url, {"amount_received": "6800.00", "received_on": "2026-11-20"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["enrolment_state"] == "confirmed" and body["payment_state"] == "confirmed"
    assert (body["amount_received"], body["received_on"], body["confirmed_by"]) == (
        "6800.00", "2026-11-20", "王会计")
    assert AuditEntry.objects.for_object(enrolment).filter(
        action="lms.payment.received", actor=admin).count() == 1


def test_api_a_trainee_cannot_confirm_a_transfer(client, transfer):
    trainee, _, payment = transfer
    client.force_login(trainee)
    response = client.post(f"/api/v1/lms/staff/payments/{payment.pk}/confirm",
                           {"amount_received": "6800.00", "received_on": "2026-11-20"},
                           content_type="application/json")
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.state == Payment.State.CREATED


def test_api_tells_the_refund_then_cancels_with_it(client, transfer, admin, user_factory):
    trainee, enrolment, payment = transfer
    services.bank_transfer_confirm(payment_id=payment.pk, by=admin,
                                   amount_received=Decimal("6800.00"), received_on=TODAY)
    url = f"/api/v1/lms/enrolments/{enrolment.reference}/cancel"
    client.force_login(user_factory())
    assert client.get(url).status_code == 404  # not theirs
    assert client.post(url, {}, content_type="application/json").status_code == 404

    client.force_login(trainee)
    preview = client.get(url).json()
    assert preview == {"reference": enrolment.reference, "state": "confirmed",
                       "can_cancel": True, "refund_amount": "3400.00", "currency": "CNY"}
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED  # asking changed nothing

    done = client.post(url, {"reason": "改期"}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["state"] == "refunded" and done.json()["refund_amount"] == "3400.00"
    assert Refund.objects.get(payment=payment).amount == Decimal("3400.00")
    again = client.post(url, {}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "state"


def test_the_roster_states_the_refund_before_staff_cancel(client, transfer, admin):
    _, enrolment, payment = transfer
    services.bank_transfer_confirm(payment_id=payment.pk, by=admin,
                                   amount_received=Decimal("6800.00"), received_on=TODAY)
    client.force_login(admin)
    page = client.get(f"/training/staff/cohorts/{enrolment.cohort.code}/").content.decode()
    assert "按取消政策退款 ¥3400.00；如勾选“全额退款”，则退款 ¥6800.00" in page
    cancel = page[page.index(f"/training/staff/enrolments/{enrolment.reference}/cancel/"):]
    assert 'class="button-small button-danger"' in cancel[:cancel.index("</form>")]
