"""Who hears of a project's state change, each in their own language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from accounts.models import User
from accounts.roles import CERTIFICATION_ADMIN, EXPERT_COMMITTEE
from core.services import email_send_templated

from ..models import MemberState, ReviewProject


def team(project: ReviewProject) -> list[User]:
    return [member.reviewer for member in
            project.members.filter(state=MemberState.DRAWN).select_related("reviewer")]


def role_holders(*roles: str) -> list[User]:
    return list(User.objects.filter(groups__name__in=roles, is_active=True).distinct())


def certification_admins() -> list[User]:
    return role_holders(CERTIFICATION_ADMIN)


def expert_committee() -> list[User]:
    return role_holders(EXPERT_COMMITTEE)


def project_state_email(*, project: ReviewProject, recipients: Iterable[User],
                        extra: dict[str, Any] | None = None) -> None:
    """`reviews/email/project_state`: the project's new state, to each recipient once, in
    their language."""
    seen: set[int] = set()
    for person in recipients:
        if person.pk in seen or not person.email:
            continue
        seen.add(person.pk)
        email_send_templated(
            to=[person.email], template_prefix="reviews/email/project_state",
            language=person.language,
            context={"project": project, "person": person, **(extra or {}),
                     "site_url": settings.SITE_URL.rstrip("/")},
        )
