"""Shared fixtures. Fixtures that build data return factories (call them with what matters)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.test import Client

from accounts.models import Organisation, User
from accounts.selectors import user_is_staff_member
from accounts.services import user_role_grant, user_totp_activate

pytest_plugins = ["tests.celery_worker", "tests.clock", "tests.live_server", "tests.redis_server",
                  "tests.shard", "tests.storage"]

_sequence = itertools.count(1)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that need PostgreSQL or a live worker run under `make test-services` (and in CI);
    on embedded defaults they are deselected, and the summary says how many."""
    on_postgres = connection.vendor == "postgresql"
    has_broker = settings.CELERY_BROKER_URL.startswith(("redis://", "amqp://"))
    keep, dropped = [], []
    for item in items:
        if (item.get_closest_marker("postgres") and not on_postgres) or (
            item.get_closest_marker("celery_worker") and not (has_broker and on_postgres)
        ):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        config._ccso_service_tests = len(dropped)  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    count = getattr(config, "_ccso_service_tests", 0)
    if count:
        terminalreporter.write_line(
            f"{count} test(s) need PostgreSQL and a Celery worker on Redis: "
            "run `make test-services` (CI runs both)."
        )


@pytest.fixture
def organisation_factory(db: None) -> Callable[..., Organisation]:
    def make(**fields: Any) -> Organisation:
        fields.setdefault("name", f"测试组织{next(_sequence)}")
        return Organisation.objects.create(**fields)

    return make


@pytest.fixture
def user_factory(db: None) -> Callable[..., User]:
    """Make a user with a verified email; `roles=[...]` puts them in role groups. Staff (a staff
    role, `is_staff` or superuser) get a TOTP authenticator, as the platform requires
    (`totp_code(user)` gives its current code); `mfa=False` makes one who has not set it up."""

    def make(*, roles: tuple[str, ...] | list[str] = (), password: str = "pass-Word-123",
             mfa: bool | None = None, **fields: Any) -> User:
        n = next(_sequence)
        fields.setdefault("email", f"user{n}@example.com")
        fields.setdefault("name_zh", f"用户{n}")
        fields.setdefault("name_en", f"YONGHU {n}")
        user = User.objects.create_user(password=password, **fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        for role in roles:
            user_role_grant(user=user, role=role, granted_by=None)
        if mfa if mfa is not None else user_is_staff_member(user):
            user_totp_activate(user=user, secret=generate_totp_secret())
        return user

    return make


@pytest.fixture
def totp_code() -> Callable[[User | str], str]:
    """The current code of a user's TOTP authenticator (or of a secret), as a phone shows it."""

    def code(user_or_secret: User | str) -> str:
        secret = user_or_secret if isinstance(user_or_secret, str) else Authenticator.objects.get(
            user=user_or_secret, type=Authenticator.Type.TOTP).data["secret"]
        return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))

    return code


@pytest.fixture(autouse=True)
def _force_login_completes_mfa(monkeypatch: pytest.MonkeyPatch) -> None:
    """`client.force_login(user)` stands for a finished sign-in: for a user with a second factor
    it also records the MFA step that allauth's login records, which staff sessions need
    (accounts.middleware). The real login paths are tested in tests/accounts/test_login_paths.py;
    `client.login(...)` stays a login that bypasses allauth."""
    force_login = Client.force_login

    def force_login_with_mfa(self: Client, user: Any, backend: str | None = None) -> None:
        force_login(self, user, backend)
        factor = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if factor is not None:
            request = HttpRequest()
            request.session = self.session
            record_authentication(request, user, "mfa", id=factor.pk, type=factor.type)
            request.session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_mfa)


@pytest.fixture
def user(user_factory: Callable[..., User]) -> User:
    return user_factory(roles=["trainee"])


@pytest.fixture
def home_page(db: None) -> Any:
    """The site's home page as Wagtail's default site root (what `make run` sets up)."""
    from cms.demo import home_page_ensure

    _wagtail_root_ensure()
    return home_page_ensure()


def _wagtail_root_ensure() -> None:
    """Recreate what Wagtail's migrations insert, which a transactional test's flush deletes."""
    from django.conf import settings
    from wagtail.models import Locale, Page

    if not Locale.objects.exists():
        Locale.objects.create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))
