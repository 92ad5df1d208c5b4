"""The certification admins' tool in the staff workspace (core.workspace)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workspace import WorkspaceTool

from .views import STAFF_STATUS_PERM

TOOLS = [
    WorkspaceTool(
        label=_("Credentials administration"),
        description=_("Credential status, reviewer candidates, continuing-education hours."),
        url_name="certification:staff_credentials",
        permission=STAFF_STATUS_PERM,  # as certification.views.staff_credentials
        order=30,
    ),
]
