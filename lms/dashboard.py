"""The training panel on the personal dashboard (/me/)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import enrolments_for_user


def panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    staff = user.has_perm("lms.view_dashboard")
    enrolments = list(enrolments_for_user(user=user)[:10])
    return {
        "template": "lms/dashboard_panel.html",
        "enrolments": enrolments,
        "staff": staff,
    }
