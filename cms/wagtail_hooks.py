from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import standard_import_job_view, standard_import_view
from .selectors import page_items_referenced


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


@hooks.register("before_delete_page")
def keep_items_something_refers_to(request: Any, page: Any) -> Any:
    """A module or version whose items exam questions or lessons refer to is not deleted
    (they refer with PROTECT): the editor is told which items, and what refers to them."""
    referenced = page_items_referenced(page=page)
    if not referenced:
        return None
    messages.error(request, gettext(
        "This page cannot be deleted while other records refer to its items: %(items)s. "
        "Point those records at other items first."
    ) % {"items": "; ".join(f"{code} ({', '.join(refs)})"
                            for code, refs in sorted(referenced.items()))})
    return redirect("wagtailadmin_explore", page.get_parent().pk)
