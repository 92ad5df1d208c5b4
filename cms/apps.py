from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Standard and content")

    def ready(self) -> None:
        from . import signals
        from .services import editor_page_permissions_ensure

        signals.connect()

        def editor_permissions_after_migrate(**kwargs: object) -> None:
            editor_page_permissions_ensure()

        post_migrate.connect(
            editor_permissions_after_migrate, dispatch_uid="cms.editor_page_permissions"
        )
