"""The course admins' tool in the staff workspace (core.workspace)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workspace import WorkspaceTool

TOOLS = [
    WorkspaceTool(
        label=_("Training administration"),
        description=_("Cohorts, rosters and attendance, bank transfers to confirm, refunds."),
        url_name="lms:staff_dashboard",
        permission="lms.view_dashboard",  # as lms.views.staff_dashboard
        order=10,
    ),
]
