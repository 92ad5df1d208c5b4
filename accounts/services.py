from __future__ import annotations

import importlib
import importlib.util
import logging

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core.services import audit_record

from .models import User
from .roles import ROLE_LABELS

logger = logging.getLogger(__name__)


def _declared_role_permissions() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role: set() for role in ROLE_LABELS}
    for app_name in settings.PROJECT_APPS:
        if importlib.util.find_spec(f"{app_name}.roles") is None:
            continue
        module = importlib.import_module(f"{app_name}.roles")
        for role, codes in getattr(module, "ROLE_PERMISSIONS", {}).items():
            declared[role].update(codes)
    return declared


def roles_sync() -> None:
    """Create one group per role and give it exactly the permissions the apps declare."""
    permissions = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, codes in _declared_role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        missing = sorted(code for code in codes if code not in permissions)
        if missing:
            # Happens mid-migration, before the owning app's tables exist; the next
            # post_migrate run completes the group.
            logger.debug("Role %s: permissions not yet created: %s", role, missing)
        group.permissions.set([permissions[code] for code in codes if code in permissions])


@transaction.atomic
def user_role_grant(*, user: User, role: str, granted_by: User | None, reason: str = "") -> None:
    if role not in ROLE_LABELS:
        raise ValueError(f"Unknown role: {role}")
    group, _created = Group.objects.get_or_create(name=role)
    if user.groups.filter(pk=group.pk).exists():
        return
    user.groups.add(group)
    audit_record(
        actor=granted_by, action="accounts.role.granted", target=user, reason=reason,
        data={"role": role},
    )


@transaction.atomic
def user_role_revoke(*, user: User, role: str, revoked_by: User | None, reason: str = "") -> None:
    group = Group.objects.filter(name=role).first()
    if group is None or not user.groups.filter(pk=group.pk).exists():
        return
    user.groups.remove(group)
    audit_record(
        actor=revoked_by, action="accounts.role.revoked", target=user, reason=reason,
        data={"role": role},
    )


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """The language of the person's emails (not audited: it prints on nothing)."""
    User.objects.filter(pk=user.pk).exclude(language=language).update(language=language)
    user.language = language


@transaction.atomic
def user_profile_update(*, user: User, changed_by: User, fields: dict[str, object]) -> User:
    """Save profile fields and record which ones changed (names appear on certificates)."""
    # Compare with the stored row, not the instance: a bound ModelForm has already copied the
    # new values onto the instance it was given.
    stored = User.objects.select_for_update().get(pk=user.pk)
    changes = {
        name: {"from": str(getattr(stored, name) or ""), "to": str(value or "")}
        for name, value in fields.items()
        if getattr(stored, name) != value
    }
    if not changes:
        return stored
    for name, value in fields.items():
        setattr(stored, name, value)
    stored.full_clean()
    stored.save(update_fields=list(changes))
    audit_record(
        actor=changed_by, action="accounts.profile.updated", target=stored, data=changes
    )
    return stored


@transaction.atomic
def user_totp_activate(*, user: User, secret: str) -> Authenticator:
    """Give a user a TOTP authenticator with this secret, and recovery codes, without the
    activation page (demo accounts, whose secret is printed; test users). People set theirs up at
    /accounts/2fa/."""
    totp = TOTP.activate(user, secret).instance
    RecoveryCodes.activate(user)
    return totp
