"""The exams panel on the personal dashboard (/me/): exams one may sit, and past results."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import exams_for_candidate
from .services import eligibility


def panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    rows = []
    for exam, attempts in exams_for_candidate(user):
        check = eligibility(exam=exam, user=user)
        if attempts or check.ok:
            rows.append({"exam": exam, "attempts": attempts, "check": check})
    is_admin = user.has_perm("exams.view_exam_statistics")
    if not rows and not is_admin:
        return None
    return {"template": "exams/dashboard_panel.html", "rows": rows, "is_exam_admin": is_admin}
