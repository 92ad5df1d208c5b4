"""The exam admins' tool in the staff workspace (core.workspace)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workspace import WorkspaceTool

TOOLS = [
    WorkspaceTool(
        label=_("Exam administration"),
        description=_("The question bank and its import, item statistics, extra time, score "
                      "reviews."),
        url_name="exams:manage",
        permission="exams.view_exam_statistics",  # as exams.views.manage
        order=20,
    ),
]
