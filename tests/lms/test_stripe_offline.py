"""Checkout → webhook → enrolment, end to end over HTTP, with a fake Stripe on localhost.

The platform runs on the live server with `STRIPE_API_BASE` pointed at `tests.fakes.stripe_api`;
the trainee is a plain HTTP client (sign-in, enrol, pay) and the fake delivers the event signed
with `STRIPE_WEBHOOK_SECRET` exactly as Stripe does. Nothing of the platform is mocked.
"""

from __future__ import annotations

import json
import re

import pytest
import requests
from django.core import mail

from lms.models import Enrolment, Payment, WebhookEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _csrf(page: requests.Response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, page.text[:500]
    return match.group(1)


def test_a_trainee_pays_through_checkout_and_the_signed_webhook_confirms_the_seat(
    live_server, stripe_api, cohort_factory, user_factory, home_page
):
    stripe_api.webhook_url = f"{live_server.url}/training/stripe/webhook/"
    trainee = user_factory(roles=["trainee"], email="pay.online@example.com")
    cohort = cohort_factory(capacity=5)
    browser = requests.Session()
    site = live_server.url

    login = browser.get(f"{site}/accounts/login/")
    signed_in = browser.post(f"{site}/accounts/login/", data={
        "login": trainee.email, "password": "pass-Word-123", "csrfmiddlewaretoken": _csrf(login)})
    assert signed_in.url.rstrip("/").endswith("/me"), signed_in.url

    cohort_page = browser.get(f"{site}/training/cohorts/{cohort.code}/")
    enrolled = browser.post(f"{site}/training/cohorts/{cohort.code}/enrol/",
                            data={"csrfmiddlewaretoken": _csrf(cohort_page)})
    enrolment = Enrolment.objects.get(user=trainee, cohort=cohort)
    assert enrolment.state == Enrolment.State.PENDING_PAYMENT
    assert f"/training/enrolments/{enrolment.reference}/pay/stripe/" in enrolled.text

    to_stripe = browser.post(f"{site}/training/enrolments/{enrolment.reference}/pay/stripe/",
                             data={"csrfmiddlewaretoken": _csrf(enrolled)})
    assert to_stripe.url.startswith(f"{stripe_api.url}/c/pay/cs_test_")
    assert "¥6800.00" in to_stripe.text
    back = browser.post(to_stripe.url, data={"method": "wechat_pay"})

    # The fake delivered checkout.session.completed before sending the trainee back; the
    # platform verified its signature, re-read the session from the fake and confirmed.
    (delivery,) = stripe_api.deliveries
    assert delivery[0] == 200 and json.loads(delivery[1])["outcome"] == "paid"
    assert WebhookEvent.objects.count() == 1
    enrolment.refresh_from_db()
    payment = Payment.objects.get(enrolment=enrolment)
    assert enrolment.state == Enrolment.State.CONFIRMED
    assert (payment.state, payment.method) == (Payment.State.CONFIRMED, "wechat_pay")
    assert back.url == f"{site}/training/enrolments/{enrolment.reference}/"
    assert "已收到付款" in back.text
    receipts = [m for m in mail.outbox if m.to == [trainee.email]
                and m.subject.startswith("付款已确认")]
    assert len(receipts) == 1 and enrolment.reference in receipts[0].body
    assert ("get", f"/v1/checkout/sessions/{payment.provider_reference}") in {
        (method, path) for method, path, _params in stripe_api.requests}


def test_a_delivery_signed_with_another_secret_is_refused_by_the_live_webhook(
    live_server, stripe_api, cohort_factory, user_factory
):
    from lms import services

    stripe_api.webhook_url = f"{live_server.url}/training/stripe/webhook/"
    stripe_api.webhook_secret = "whsec_not_the_platforms"
    trainee = user_factory()
    enrolment = services.enrolment_create(user=trainee, cohort_id=cohort_factory().pk)
    payment = services.checkout_start(enrolment_id=enrolment.pk, user=trainee, provider="stripe",
                                      success_url=f"{live_server.url}/ok",
                                      cancel_url=f"{live_server.url}/no").payment

    stripe_api.complete(payment.provider_reference)

    assert stripe_api.deliveries == [(400, "invalid signature")]
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.PENDING_PAYMENT
    assert WebhookEvent.objects.count() == 0
