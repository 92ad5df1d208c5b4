"""Stripe Checkout and its webhook: real signatures, only Stripe's HTTP API is faked."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from core.models import AuditEntry
from lms import services
from lms.models import Enrolment, Payment, WebhookEvent
from lms.payments import providers_available


@pytest.fixture
def started(stripe_api, cohort_factory, user_factory):  # type: ignore[no-untyped-def]
    """A trainee has enrolled and been sent to Stripe Checkout."""
    trainee = user_factory(roles=["trainee"])
    cohort = cohort_factory(capacity=2)
    enrolment = services.enrolment_create(user=trainee, cohort_id=cohort.pk)
    result = services.checkout_start(
        enrolment_id=enrolment.pk, user=trainee, provider="stripe",
        success_url="http://testserver/paid", cancel_url="http://testserver/back",
    )
    return enrolment, result.payment, stripe_api.sessions[result.payment.provider_reference]


def _confirmations(enrolment: Enrolment) -> int:
    return AuditEntry.objects.for_object(enrolment).filter(
        action="lms.enrolment.confirmed").count()


def test_checkout_is_in_cny_with_card_alipay_and_wechat_pay(started, stripe_api, settings):
    enrolment, payment, session = started
    method, path, params = stripe_api.requests[0]
    assert (method, path) == ("post", "/v1/checkout/sessions")
    assert params["currency"] == ["cny"]
    assert params["line_items[0][price_data][unit_amount]"] == ["680000"]
    assert sorted(v for k, v in params.items() if k.startswith("payment_method_types")) == [
        ["alipay"], ["card"], ["wechat_pay"]]
    assert payment.provider_reference == session["id"]
    enrolment.refresh_from_db()
    # The seat is held as long as Stripe's checkout is open.
    assert enrolment.hold_expires_at == payment.expires_at


def test_signed_completed_event_confirms_once_however_often_it_arrives(
    started, stripe_api, send_stripe_event, django_capture_on_commit_callbacks
):
    enrolment, payment, session = started
    stripe_api.pay(session["id"], method="wechat_pay")

    with django_capture_on_commit_callbacks(execute=True):
        first = send_stripe_event("checkout.session.completed", session, event_id="evt_same")
        replay = send_stripe_event("checkout.session.completed", session, event_id="evt_same")
        other = send_stripe_event("checkout.session.async_payment_succeeded", session)

    assert first.status_code == 200 and first.json()["outcome"] == "paid"
    assert replay.json()["outcome"] == "duplicate"
    assert other.status_code == 200
    enrolment.refresh_from_db()
    payment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
    assert payment.state == Payment.State.CONFIRMED
    assert payment.method == "wechat_pay"
    assert payment.provider_payment_id.startswith("pi_test_")
    assert _confirmations(enrolment) == 1
    assert WebhookEvent.objects.filter(event_id="evt_same").count() == 1
    receipts = [m for m in mail.outbox if enrolment.reference in m.body and "¥6800.00" in m.body
                and m.subject.startswith("付款已确认")]
    assert len(receipts) == 1


def test_event_content_is_not_trusted_the_session_is_re_read(
    started, stripe_api, send_stripe_event
):
    enrolment, _payment, session = started
    # The body claims payment, but at Stripe the session is still open and unpaid.
    forged_content = {**session, "status": "complete", "payment_status": "paid"}
    response = send_stripe_event("checkout.session.completed", forged_content)
    assert response.json()["outcome"] == "open"
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.PENDING_PAYMENT
    assert any(path.startswith("/v1/checkout/sessions/cs_") and m == "get"
               for m, path, _ in stripe_api.requests)


def test_out_of_order_expired_event_after_payment_does_not_release_the_seat(
    started, stripe_api, send_stripe_event
):
    enrolment, _payment, session = started
    stripe_api.pay(session["id"])
    # A (stale) expired event arrives first, then the completed one.
    send_stripe_event("checkout.session.expired", {**session, "status": "expired"})
    send_stripe_event("checkout.session.completed", session)
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
    assert _confirmations(enrolment) == 1


def test_expired_session_releases_the_seat_and_offers_it_to_the_waitlist(
    stripe_api, cohort_factory, user_factory, send_stripe_event,
    django_capture_on_commit_callbacks,
):
    cohort = cohort_factory(capacity=1)
    first, waiting = user_factory(), user_factory(email="waiting@example.com")
    enrolment = services.enrolment_create(user=first, cohort_id=cohort.pk)
    queued = services.enrolment_create(user=waiting, cohort_id=cohort.pk, waitlist=True)
    assert queued.state == Enrolment.State.WAITLISTED
    result = services.checkout_start(enrolment_id=enrolment.pk, user=first, provider="stripe",
                                     success_url="http://x/ok", cancel_url="http://x/no")
    session_id = result.payment.provider_reference
    stripe_api.expire(session_id)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = send_stripe_event("checkout.session.expired", stripe_api.sessions[session_id])

    assert response.json()["outcome"] == "expired"
    enrolment.refresh_from_db()
    queued.refresh_from_db()
    assert enrolment.state == Enrolment.State.CANCELLED
    assert queued.state == Enrolment.State.PENDING_PAYMENT
    assert queued.hold_expires_at is not None
    offers = [m for m in mail.outbox if m.to == ["waiting@example.com"]]
    assert len(offers) == 1 and "空出" in offers[0].subject + offers[0].body


def test_forged_signature_is_rejected_and_nothing_recorded(
    started, stripe_api, send_stripe_event
):
    enrolment, _payment, session = started
    stripe_api.pay(session["id"])
    response = send_stripe_event("checkout.session.completed", session, secret="whsec_wrong")
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.PENDING_PAYMENT


def test_stale_signed_event_is_rejected(started, stripe_api, send_stripe_event):
    _enrolment, _payment, session = started
    stripe_api.pay(session["id"])
    old = int(time.time()) - 3600
    response = send_stripe_event("checkout.session.completed", session, timestamp=old)
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_unsigned_post_is_rejected(client, db):
    response = client.post("/training/stripe/webhook/", data=b"{}",
                           content_type="application/json")
    assert response.status_code == 400


def test_event_for_an_unknown_session_is_acknowledged_and_ignored(
    stripe_api, send_stripe_event, db
):
    response = send_stripe_event(
        "checkout.session.completed", {"id": "cs_test_elsewhere", "object": "checkout.session"}
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown"


def test_payment_after_hold_expired_with_no_seat_left_is_refunded(
    stripe_api, cohort_factory, user_factory, send_stripe_event, settings
):
    cohort = cohort_factory(capacity=1)
    late, other = user_factory(), user_factory()
    enrolment = services.enrolment_create(user=late, cohort_id=cohort.pk)
    payment = services.checkout_start(enrolment_id=enrolment.pk, user=late, provider="stripe",
                                      success_url="http://x/ok", cancel_url="http://x/no").payment
    # Our hold lapsed and someone else took the seat; then the late payment lands.
    Enrolment.objects.filter(pk=enrolment.pk).update(
        state=Enrolment.State.CANCELLED, cancel_reason=Enrolment.CancelReason.EXPIRED,
        hold_expires_at=None)
    services.enrolment_create(user=other, cohort_id=cohort.pk)
    stripe_api.pay(payment.provider_reference)

    send_stripe_event("checkout.session.completed", stripe_api.sessions[payment.provider_reference])

    payment.refresh_from_db()
    enrolment.refresh_from_db()
    assert payment.state == Payment.State.REFUNDED
    assert payment.refunded_amount == payment.amount
    assert stripe_api.refunds[0]["amount"] == 680000
    assert enrolment.state == Enrolment.State.REFUNDED


def test_holds_expire_task_settles_a_checkout_paid_in_the_last_second(
    started, stripe_api
):
    from datetime import timedelta

    from django.utils import timezone

    from lms.tasks import holds_expire

    enrolment, payment, session = started
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    Enrolment.objects.filter(pk=enrolment.pk).update(
        hold_expires_at=timezone.now() - timedelta(seconds=1))
    stripe_api.pay(session["id"])  # paid, but the webhook has not arrived

    assert holds_expire.delay().get() == {"confirmed": 1, "released": 0}
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
    # Running it again changes nothing.
    assert holds_expire.delay().get() == {"confirmed": 0, "released": 0}


def test_holds_expire_expires_an_open_session_at_stripe_before_releasing(started, stripe_api):
    from datetime import timedelta

    from django.utils import timezone

    enrolment, payment, session = started
    Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.holds_expire() == {"confirmed": 0, "released": 1}
    assert stripe_api.sessions[session["id"]]["status"] == "expired"
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CANCELLED


def test_without_keys_stripe_is_hidden_not_broken(
    client, settings, cohort_factory, user_factory
):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    assert [p.identifier for p in providers_available()] == ["bank_transfer"]
    trainee = user_factory()
    cohort = cohort_factory()
    enrolment = services.enrolment_create(user=trainee, cohort_id=cohort.pk)
    client.force_login(trainee)
    page = client.get(f"/training/enrolments/{enrolment.reference}/").content.decode()
    assert "支付宝" not in page and "对公转账" in page
    with pytest.raises(services.PaymentError):
        services.checkout_start(enrolment_id=enrolment.pk, user=trainee, provider="stripe")


def test_stripe_button_shown_with_keys(client, stripe_api, cohort_factory, user_factory):
    trainee = user_factory()
    enrolment = services.enrolment_create(user=trainee, cohort_id=cohort_factory().pk)
    client.force_login(trainee)
    response = client.post(f"/training/enrolments/{enrolment.reference}/pay/stripe/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{stripe_api.url}/c/pay/cs_test_")


def test_return_from_stripe_re_reads_the_session_before_the_webhook_arrives(
    client, started, stripe_api
):
    enrolment, _payment, session = started
    client.force_login(enrolment.user)
    waiting = client.get(f"/training/enrolments/{enrolment.reference}/paid/", follow=True)
    assert "正在等待支付服务确认" in waiting.content.decode()

    stripe_api.pay(session["id"], method="card")
    done = client.get(f"/training/enrolments/{enrolment.reference}/paid/", follow=True)
    assert "已收到付款" in done.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED


def test_a_new_checkout_closes_the_previous_one_which_still_counts_if_paid(
    started, stripe_api, send_stripe_event, django_capture_on_commit_callbacks
):
    enrolment, first, first_session = started
    with django_capture_on_commit_callbacks(execute=True):
        second = services.checkout_start(
            enrolment_id=enrolment.pk, user=enrolment.user, provider="stripe",
            success_url="http://x/ok", cancel_url="http://x/no").payment
    first.refresh_from_db()
    assert first.state == Payment.State.EXPIRED
    assert stripe_api.sessions[first_session["id"]]["status"] == "expired"
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.PENDING_PAYMENT  # the seat stays held

    stripe_api.pay(second.provider_reference)
    send_stripe_event("checkout.session.completed", stripe_api.sessions[second.provider_reference])
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED


def test_when_stripe_cannot_be_reached_the_event_is_not_recorded_so_its_retry_counts(
    started, stripe_api, send_stripe_event, monkeypatch
):
    enrolment, _payment, session = started
    stripe_api.pay(session["id"])
    real_handle = stripe_api.handle
    monkeypatch.setattr(stripe_api, "handle", lambda *a: stripe_api._json(
        {"error": {"type": "api_error", "message": "unavailable"}}, 500))

    failed = send_stripe_event("checkout.session.completed", session, event_id="evt_retry")

    assert failed.status_code == 503
    assert not WebhookEvent.objects.filter(event_id="evt_retry").exists()
    monkeypatch.setattr(stripe_api, "handle", real_handle)
    retried = send_stripe_event("checkout.session.completed", session, event_id="evt_retry")
    assert retried.json()["outcome"] == "paid"
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.CONFIRMED
