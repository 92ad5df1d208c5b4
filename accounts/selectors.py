from __future__ import annotations

import importlib
import importlib.util
from functools import cache
from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser

from core.workspace import WorkspaceTool

if TYPE_CHECKING:
    from .models import User

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


@cache
def _declared_workspace_tools() -> tuple[WorkspaceTool, ...]:
    """Every app's `<app>.workspace.TOOLS`, in menu order."""
    tools: list[WorkspaceTool] = []
    for app_name in settings.PROJECT_APPS:
        if importlib.util.find_spec(f"{app_name}.workspace") is not None:
            tools.extend(importlib.import_module(f"{app_name}.workspace").TOOLS)
    return tuple(sorted(tools, key=lambda tool: tool.order))


def workspace_tools(user: AbstractBaseUser | AnonymousUser) -> list[WorkspaceTool]:
    """The staff tools this person can open: the one place the account menu, the workspace page
    and the landing after sign-in ask. Each tool's page checks the same permission."""
    if not user_is_staff_member(user):
        return []
    return [
        tool for tool in _declared_workspace_tools()
        if (user.has_perm(tool.permission) if tool.permission  # type: ignore[union-attr]
            else getattr(user, "is_superuser", False))
    ]


def email_recipient(*, email: str, user: object = None) -> User | None:
    """The account an email to `email` goes to (for its language and name): the `user` allauth
    passes when it is one of ours, else the account holding that address; None for an address
    no account has (a password reset asked for an unknown email)."""
    from allauth.account.models import EmailAddress

    from .models import User

    if isinstance(user, User):
        return user
    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    if address is not None:
        return address.user
    return user_by_email(email=email)


def user_by_email(*, email: str) -> User | None:
    """The account whose email is `email`, whatever its case."""
    from .models import User

    return User.objects.filter(email__iexact=email).first()
