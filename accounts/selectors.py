from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from .roles import ROLE_LABELS, STAFF_ROLES

# The factors that make a second factor; recovery codes only stand in for a lost one.
SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def user_role_slugs(user: AbstractBaseUser | AnonymousUser) -> list[str]:
    if not user.is_authenticated:
        return []
    # groups are prefetched by callers that list many users; one query otherwise
    return sorted(g.name for g in user.groups.all() if g.name in ROLE_LABELS)  # type: ignore[attr-defined]


def user_has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    return role in user_role_slugs(user)


def user_is_staff_member(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Anyone who can open a staff page or an admin: a staff role, `is_staff` or a superuser."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
        return True
    # The session's user comes with the answer (accounts.backends), read with it from the
    # database on this request; any other user instance asks the database now.
    loaded = getattr(user, "loaded_staff_role", None)
    if loaded is not None:
        return bool(loaded)
    return bool(STAFF_ROLES.intersection(user_role_slugs(user)))


def user_has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and is_mfa_enabled(user, SECOND_FACTOR_TYPES)  # type: ignore[arg-type]
