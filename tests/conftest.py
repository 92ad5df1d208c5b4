"""Shared fixtures. Fixtures that build data return factories (call them with what matters)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection

from accounts.models import Organisation, User
from accounts.services import user_role_grant

pytest_plugins = ["tests.celery_worker", "tests.storage"]

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
    """Make a user with a verified email; `roles=[...]` puts them in role groups."""

    def make(*, roles: tuple[str, ...] | list[str] = (), password: str = "pass-Word-123",
             **fields: Any) -> User:
        n = next(_sequence)
        fields.setdefault("email", f"user{n}@example.com")
        fields.setdefault("name_zh", f"用户{n}")
        fields.setdefault("name_en", f"YONGHU {n}")
        user = User.objects.create_user(password=password, **fields)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        for role in roles:
            user_role_grant(user=user, role=role, granted_by=None)
        return user

    return make


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
