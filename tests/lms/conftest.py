"""lms fixtures: factories for courses, cohorts and enrolments."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from lms.models import Cohort, Course, Enrolment

_seq = itertools.count(1)


@pytest.fixture
def course_factory(db: None) -> Callable[..., Course]:
    def make(**fields: Any) -> Course:
        n = next(_seq)
        fields.setdefault("code", f"course-{n}")
        fields.setdefault("title", f"CCSO 注册协调员培训 {n}")
        fields.setdefault("title_en", f"CCSO registered-coordinator training {n}")
        fields.setdefault("price", Decimal("6800.00"))
        return Course.objects.create(**fields)

    return make


@pytest.fixture
def cohort_factory(db: None, course_factory: Callable[..., Course]) -> Callable[..., Cohort]:
    """A published cohort starting `starts_in_days` from today (30 by default)."""

    def make(*, starts_in_days: int = 30, **fields: Any) -> Cohort:
        n = next(_seq)
        course = fields.pop("course", None) or course_factory()
        day_1 = timezone.localdate() + datetime.timedelta(days=starts_in_days)
        fields.setdefault("code", f"cohort-{n}")
        fields.setdefault("title", f"第{n}期 北京班")
        fields.setdefault("status", Cohort.Status.PUBLISHED)
        fields.setdefault("day_1", day_1)
        fields.setdefault("day_2", day_1 + datetime.timedelta(days=1))
        fields.setdefault("day_3", day_1 + datetime.timedelta(days=2))
        fields.setdefault("venue", "北京市海淀区示例路1号")
        fields.setdefault("capacity", 20)
        fields.setdefault("price", course.price)
        fields.setdefault(
            "enrolment_deadline",
            timezone.make_aware(datetime.datetime.combine(day_1, datetime.time(0, 0)))
            - datetime.timedelta(days=1),
        )
        return Cohort.objects.create(course=course, **fields)

    return make


@pytest.fixture
def enrolment_factory(db: None, cohort_factory, user_factory) -> Callable[..., Enrolment]:  # type: ignore[no-untyped-def]
    """An enrolment written directly (bypassing services) in a given state."""

    def make(**fields: Any) -> Enrolment:
        cohort = fields.pop("cohort", None) or cohort_factory()
        user = fields.pop("user", None) or user_factory(roles=["trainee"])
        fields.setdefault("state", Enrolment.State.CONFIRMED)
        fields.setdefault("price", cohort.price)
        fields.setdefault("reference", f"T{next(_seq):08d}")
        if fields["state"] == Enrolment.State.PENDING_PAYMENT:
            fields.setdefault("hold_expires_at", timezone.now() + datetime.timedelta(hours=1))
        return Enrolment.objects.create(cohort=cohort, user=user, **fields)

    return make


# --- Stripe: only the HTTP layer is faked; the SDK, its parsing and signatures are real.
class FakeStripeAPI:
    """A `stripe.HTTPClient` standing in for api.stripe.com: Checkout Sessions and Refunds."""

    def __init__(self) -> None:
        import stripe

        outer = self

        class Client(stripe.HTTPClient):
            name = "fake"

            def request(self, method, url, headers, post_data=None, *, _usage=None):  # type: ignore[no-untyped-def]
                return outer.handle(method, url, headers or {}, post_data)

            def request_stream(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                raise AssertionError("the platform never streams from Stripe's API")

            def close(self) -> None:
                return None

        self.client = Client()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.refunds: list[dict[str, Any]] = []
        self.fail_refunds = False
        self._n = itertools.count(1)

    @staticmethod
    def _json(body: Any, status: int = 200) -> tuple[str, int, dict[str, str]]:
        import json

        return json.dumps(body), status, {"request-id": "req_fake"}

    def handle(self, method: str, url: str, headers: dict, post_data: Any):  # type: ignore[no-untyped-def]
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(url)
        params = parse_qs(post_data or "") if method == "post" else parse_qs(parts.query)
        self.requests.append((method, parts.path, params))
        path = parts.path
        if method == "post" and path == "/v1/checkout/sessions":
            session_id = f"cs_test_{next(self._n):04d}"
            session = {
                "id": session_id, "object": "checkout.session", "status": "open",
                "payment_status": "unpaid", "currency": params["currency"][0],
                "amount_total": int(params["line_items[0][price_data][unit_amount]"][0]),
                "expires_at": int(params["expires_at"][0]),
                "url": f"https://checkout.stripe.com/c/pay/{session_id}",
                "client_reference_id": params["client_reference_id"][0],
                "payment_intent": None, "livemode": False,
            }
            self.sessions[session_id] = session
            return self._json(session)
        if path.startswith("/v1/checkout/sessions/"):
            session_id = path.split("/")[4]
            session = self.sessions.get(session_id)
            if session is None:
                return self._json({"error": {"type": "invalid_request_error",
                                             "message": "No such session"}}, 404)
            if method == "post" and path.endswith("/expire"):
                if session["status"] != "open":
                    return self._json({"error": {"type": "invalid_request_error",
                                                 "message": "Session is not open"}}, 400)
                session["status"] = "expired"
            return self._json(session)
        if method == "post" and path == "/v1/refunds":
            if self.fail_refunds:
                return self._json({"error": {"type": "api_error", "message": "Stripe down"}}, 500)
            refund = {"id": f"re_test_{next(self._n):04d}", "object": "refund",
                      "status": "succeeded", "amount": int(params["amount"][0]),
                      "payment_intent": params["payment_intent"][0], "currency": "cny"}
            self.refunds.append(refund)
            return self._json(refund)
        return self._json({"error": {"type": "invalid_request_error", "message": path}}, 404)

    def pay(self, session_id: str, method: str = "alipay") -> None:
        """What happens at Stripe when the person pays."""
        n = next(self._n)
        self.sessions[session_id].update(
            status="complete", payment_status="paid",
            payment_intent={"id": f"pi_test_{n:04d}", "object": "payment_intent",
                            "payment_method": {"id": f"pm_{n}", "object": "payment_method",
                                               "type": method}},
        )

    def expire(self, session_id: str) -> None:
        self.sessions[session_id]["status"] = "expired"


@pytest.fixture
def stripe_api(settings, monkeypatch) -> FakeStripeAPI:  # type: ignore[no-untyped-def]
    """Stripe configured with test keys and its HTTP API replaced by `FakeStripeAPI`."""
    from lms.payments import stripe_checkout

    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    fake = FakeStripeAPI()
    monkeypatch.setattr(stripe_checkout, "HTTP_CLIENT", fake.client)
    return fake


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe computes: HMAC-SHA256 of "<t>.<body>"."""
    import hashlib
    import hmac
    import time

    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@pytest.fixture
def send_stripe_event(client, settings):  # type: ignore[no-untyped-def]
    """POST a signed event about a Checkout Session to the webhook; returns the response."""
    import json

    def send(event_type: str, session: dict[str, Any], *, event_id: str | None = None,
             secret: str | None = None, timestamp: int | None = None):  # type: ignore[no-untyped-def]
        body = json.dumps({
            "id": event_id or f"evt_{next(_seq):06d}", "object": "event", "type": event_type,
            "api_version": settings.STRIPE_API_VERSION, "created": 1700000000,
            "data": {"object": session}, "livemode": False,
        }).encode()
        header = stripe_signature(body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp)
        return client.post("/training/stripe/webhook/", data=body,
                           content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    return send


def valid_credit_code(prefix17: str = "91110108MA01ABCD1") -> str:
    from lms.validators import credit_code_check_char

    return prefix17 + credit_code_check_char(prefix17)
