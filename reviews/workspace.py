"""The expert committee's tool in the staff workspace (core.workspace)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workspace import WorkspaceTool

from .views.decision import DECIDE_PERM

TOOLS = [
    WorkspaceTool(
        label=_("Reviews to decide"),
        description=_("Consolidated reviews: the team's recommendation and module rates, and "
                      "the committee's decision."),
        url_name="reviews:staff_decisions",
        permission=DECIDE_PERM,  # as reviews.views.decision.staff_decisions
        order=35,
    ),
]
