"""The content editors' tool in the staff workspace (core.workspace)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workspace import WorkspaceTool

TOOLS = [
    WorkspaceTool(
        label=_("Content (Wagtail)"),
        description=_("Edit and publish the standard, its items and the site's pages."),
        url_name="wagtailadmin_home",
        # What Wagtail itself checks at /cms-admin/: editors have it through their role.
        permission="wagtailadmin.access_admin",
        order=40,
    ),
]
