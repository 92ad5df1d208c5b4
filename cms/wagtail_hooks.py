from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import standard_import_job_view, standard_import_view


@hooks.register("register_admin_urls")
def register_import_url() -> list[Any]:
    return [
        path("standard-import/", standard_import_view, name="cms_standard_import"),
        path("standard-import/<int:job_id>/", standard_import_job_view,
             name="cms_standard_import_job"),
    ]


class ImportMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return request.user.has_perm("cms.import_standard")


@hooks.register("register_admin_menu_item")
def register_import_menu_item() -> MenuItem:
    return ImportMenuItem(
        _("Import a standard"), reverse("cms_standard_import"), icon_name="upload", order=250
    )
