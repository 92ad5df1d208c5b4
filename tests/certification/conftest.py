"""Certification fixtures: coordinators with credentials, admins, a media folder per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from certification import services
from certification.models import Credential, CredentialType

_attempts = iter(range(10_000, 10_000_000))


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def pass_credential(db: None, django_capture_on_commit_callbacks: Any
                    ) -> Callable[..., Credential]:
    """Issue a coordinator credential for `user` as a pass would (through the service), and run
    what is queued on commit (the PDF, the email)."""

    def make(user: User, *, score: str = "75.00", passed_at: dt.datetime | None = None,
             attempt_id: int | None = None) -> Credential:
        with django_capture_on_commit_callbacks(execute=True):
            credential = services.credential_issue_for_pass(
                user_id=user.pk,
                source_key=f"exams.attempt:{attempt_id or next(_attempts)}",
                exam_score=Decimal(score),
                passed_at=passed_at or timezone.now(),
            )
        credential.refresh_from_db()
        return credential

    return make


@pytest.fixture
def coordinator_factory(user_factory: Callable[..., User],
                        pass_credential: Callable[..., Credential]) -> Callable[..., User]:
    def make(*, score: str = "75.00", **fields: Any) -> User:
        user = user_factory(roles=["trainee"], **fields)
        pass_credential(user, score=score)
        return user

    return make


@pytest.fixture
def cert_admin(user_factory: Callable[..., User]) -> User:
    return user_factory(roles=["certification_admin"], is_staff=True, name_zh="钱认证")


@pytest.fixture
def coordinator_type(db: None) -> CredentialType:
    return services.credential_type_get(CredentialType.COORDINATOR)


@pytest.fixture
def reviewer_type(db: None) -> CredentialType:
    return services.credential_type_get(CredentialType.REVIEWER)


def position(org: str, *, start: dt.date, end: dt.date | None = None, level: int = 1,
             seats: int = 10, centre_type: str = "in_house", role: str = "主管") -> dict[str, Any]:
    return {"organisation_name": org, "role": role, "start_date": start, "end_date": end,
            "centre_type": centre_type, "seats_managed": seats, "management_level": level}


def review(title: str = "2024 年度评审", year: int = 2024) -> dict[str, Any]:
    return {"title": title, "organisation_name": "某客服中心", "role": "评审组成员", "year": year}
