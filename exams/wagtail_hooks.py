"""The standard's editors reach the coverage of its items from the Wagtail admin menu: the page is
exams' (/exams/manage/items/), so cms needs to know nothing of questions or lessons."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class CoverageMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.has_perm("exams.view_item_tracing"))


@hooks.register("register_admin_menu_item")
def register_coverage_menu_item() -> MenuItem:
    return CoverageMenuItem(_("Questions and lessons per item"), reverse("exams:items_coverage"),
                            icon_name="list-ul", order=260)
