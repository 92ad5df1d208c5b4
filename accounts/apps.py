from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_roles_after_migrate(**kwargs: object) -> None:
    from .services import roles_sync

    roles_sync()


def record_mfa_on_activation(*, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    """Activating a second factor means typing a valid code from it: allauth records that as
    an MFA step of this session, as if the user had signed in with it (the staff rule in
    accounts.middleware then lets the session go on instead of signing it out)."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator

    if authenticator.type != Authenticator.Type.RECOVERY_CODES and request is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type,
                              activated=True)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Permissions exist only after each app's migrations, so the role groups are brought up
        # to date after every `migrate` (idempotent).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.roles_sync")
        from allauth.mfa.signals import authenticator_added

        authenticator_added.connect(record_mfa_on_activation, dispatch_uid="accounts.mfa_record")
