from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from .services import roles_sync

        def sync_roles_after_migrate(**kwargs: object) -> None:
            roles_sync()

        # Permissions exist only after each app's migrations, so the role groups are brought up
        # to date after every `migrate` (idempotent).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.roles_sync")
