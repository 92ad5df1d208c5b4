"""Cancellations and refunds follow the cohort's policy, through the provider that was paid."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lms import services
from lms.models import Cohort, Enrolment, Payment, Refund


@pytest.fixture
def paid_by_stripe(stripe_api, cohort_factory, user_factory):  # type: ignore[no-untyped-def]
    def make(*, starts_in_days: int = 30, cohort=None):  # type: ignore[no-untyped-def]
        trainee = user_factory()
        cohort = cohort or cohort_factory(starts_in_days=starts_in_days)
        enrolment = services.enrolment_create(user=trainee, cohort_id=cohort.pk)
        payment = services.checkout_start(
            enrolment_id=enrolment.pk, user=trainee, provider="stripe",
            success_url="http://x/ok", cancel_url="http://x/no").payment
        stripe_api.pay(payment.provider_reference, method="card")
        services.payment_sync(payment_id=payment.pk)
        enrolment.refresh_from_db()
        assert enrolment.state == Enrolment.State.CONFIRMED
        return trainee, enrolment

    return make


@pytest.mark.parametrize(
    ("starts_in_days", "refund"),
    [(30, Decimal("6800.00")), (14, Decimal("6800.00")), (10, Decimal("3400.00")),
     (7, Decimal("3400.00")), (3, Decimal("0.00"))],
)
def test_refund_follows_the_cancellation_policy(enrolment_factory, cohort_factory,
                                                starts_in_days, refund):
    cohort = cohort_factory(starts_in_days=starts_in_days)
    enrolment = enrolment_factory(cohort=cohort)
    assert services.refund_amount_for(enrolment=enrolment) == refund


def test_trainee_cancels_and_stripe_refunds_per_policy(paid_by_stripe, stripe_api, client):
    trainee, enrolment = paid_by_stripe(starts_in_days=10)
    client.force_login(trainee)
    page = client.get(f"/training/enrolments/{enrolment.reference}/").content.decode()
    assert "退款 ¥3400.00" in page

    client.post(f"/training/enrolments/{enrolment.reference}/cancel/")

    enrolment.refresh_from_db()
    payment = enrolment.payments.get()
    assert enrolment.state == Enrolment.State.REFUNDED
    assert payment.state == Payment.State.PARTIALLY_REFUNDED
    assert payment.refunded_amount == Decimal("3400.00")
    assert [r["amount"] for r in stripe_api.refunds] == [340000]
    assert stripe_api.refunds[0]["payment_intent"] == payment.provider_payment_id
    assert payment.refunds.get().state == Refund.State.DONE


def test_late_cancellation_gives_no_refund_and_calls_no_provider(paid_by_stripe, stripe_api):
    trainee, enrolment = paid_by_stripe(starts_in_days=3)
    services.enrolment_cancel(enrolment_id=enrolment.pk, by=trainee)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CANCELLED
    assert stripe_api.refunds == []


def test_failed_refund_at_stripe_changes_nothing(paid_by_stripe, stripe_api):
    trainee, enrolment = paid_by_stripe(starts_in_days=30)
    stripe_api.fail_refunds = True
    with pytest.raises(services.PaymentError):
        services.enrolment_cancel(enrolment_id=enrolment.pk, by=trainee)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
    assert enrolment.payments.get().refunded_amount == Decimal("0.00")
    assert not Refund.objects.exists()


def test_cancelling_a_cohort_refunds_everyone_in_full(
    paid_by_stripe, cohort_factory, user_factory, client
):
    cohort = cohort_factory(starts_in_days=3)  # even inside the no-refund window
    _t1, first = paid_by_stripe(cohort=cohort)
    _t2, second = paid_by_stripe(cohort=cohort)
    waiting = services.enrolment_create(user=user_factory(), cohort_id=cohort.pk)
    admin = user_factory(roles=["course_admin"])
    client.force_login(admin)

    client.post(f"/training/staff/cohorts/{cohort.code}/cancel/", {"reason": "讲师因故无法授课"})

    cohort.refresh_from_db()
    assert cohort.status == Cohort.Status.CANCELLED
    for enrolment in (first, second):
        enrolment.refresh_from_db()
        assert enrolment.state == Enrolment.State.REFUNDED
        assert enrolment.payments.get().state == Payment.State.REFUNDED
    waiting.refresh_from_db()
    assert waiting.state == Enrolment.State.CANCELLED
    public = client.get(f"/training/cohorts/{cohort.code}/").content.decode()
    assert "该期班已取消" in public


def test_completed_enrolment_cannot_be_cancelled(enrolment_factory):
    enrolment = enrolment_factory(state=Enrolment.State.COMPLETED)
    with pytest.raises(services.EnrolmentStateError):
        services.enrolment_cancel(enrolment_id=enrolment.pk, by=enrolment.user)


def test_second_payment_for_a_confirmed_enrolment_is_refunded(paid_by_stripe, stripe_api):
    _trainee, enrolment = paid_by_stripe()
    # A second checkout for the same enrolment was paid too (two browser tabs).
    duplicate = Payment.objects.create(enrolment=enrolment, provider="stripe",
                                       amount=enrolment.price, provider_reference="cs_dup")
    stripe_api.sessions["cs_dup"] = {**stripe_api.sessions[
        enrolment.payments.exclude(pk=duplicate.pk).get().provider_reference], "id": "cs_dup"}
    services.payment_sync(payment_id=duplicate.pk)
    duplicate.refresh_from_db()
    assert duplicate.state == Payment.State.REFUNDED
    assert enrolment.payments.filter(state=Payment.State.CONFIRMED).count() == 1
    assert stripe_api.refunds[-1]["amount"] == 680000


def test_the_cohort_page_states_the_refund_rule_once_in_the_readers_language(
        client, cohort_factory):
    cohort = cohort_factory(starts_in_days=30)
    cohort.cancellation_policy = "可改由同单位同事参加。"
    cohort.save()
    chinese = client.get(f"/training/cohorts/{cohort.code}/",
                         HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert chinese.count("全额退款") == 1
    assert "开课前 14 天（含）取消全额退款；开课前 7 天（含）退款 50%；之后不退款。" in chinese
    assert "Full refund" not in chinese
    assert "可改由同单位同事参加。" in chinese
    english = client.get(f"/training/cohorts/{cohort.code}/",
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Full refund up to 14 days before day 1; 50% up to 7 days before; none after." in english
