from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from .roles import ROLE_LABELS, STAFF_ROLES


def user_role_slugs(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    if not user.is_authenticated:
        return []
    # groups are prefetched by callers that list many users; one query otherwise
    return sorted(g.name for g in user.groups.all() if g.name in ROLE_LABELS)  # type: ignore[attr-defined]


def user_has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    return role in user_role_slugs(user)


def user_is_staff_member(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(STAFF_ROLES.intersection(user_role_slugs(user))) or bool(
        getattr(user, "is_superuser", False)
    )
