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


# --- Stripe: the platform talks HTTP to a fake Stripe on localhost (STRIPE_API_BASE); the SDK,
# its parsing and the signatures are real.
@pytest.fixture
def stripe_api(settings):  # type: ignore[no-untyped-def]
    """Stripe configured with test keys, its API served by `tests.fakes.stripe_api.FakeStripe`."""
    from tests.fakes.stripe_api import FakeStripe

    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    fake = FakeStripe(webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
                      api_version=settings.STRIPE_API_VERSION).start()
    settings.STRIPE_API_BASE = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def send_stripe_event(client, settings):  # type: ignore[no-untyped-def]
    """POST a signed event about a Checkout Session to the webhook; returns the response."""
    from tests.fakes.stripe_api import event_body, stripe_signature

    def send(event_type: str, session: dict[str, Any], *, event_id: str | None = None,
             secret: str | None = None, timestamp: int | None = None):  # type: ignore[no-untyped-def]
        body = event_body(event_type, session, event_id=event_id or f"evt_{next(_seq):06d}",
                          api_version=settings.STRIPE_API_VERSION)
        header = stripe_signature(body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp)
        return client.post("/training/stripe/webhook/", data=body,
                           content_type="application/json", HTTP_STRIPE_SIGNATURE=header)

    return send


def valid_credit_code(prefix17: str = "91110108MA01ABCD1") -> str:
    from lms.validators import credit_code_check_char

    return prefix17 + credit_code_check_char(prefix17)
