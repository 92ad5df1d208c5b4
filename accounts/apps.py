from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_roles_after_migrate(**kwargs: object) -> None:
    from .services import roles_sync

    roles_sync()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        # Permissions exist only after each app's migrations, so the role groups are brought up
        # to date after every `migrate` (idempotent).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.roles_sync")
