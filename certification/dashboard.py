"""The certification panel on /me/: the holder's credentials at a glance."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .selectors import credentials_of_holder, education_awaiting_review


def panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    credentials = list(credentials_of_holder(request.user))
    staff = request.user.has_perm("certification.change_credential_status")
    if not credentials and not staff:
        return None
    education_to_review = (
        education_awaiting_review().count()
        if request.user.has_perm("certification.review_education") else 0
    )
    return {"template": "certification/dashboard_panel.html", "credentials": credentials,
            "staff": staff, "education_to_review": education_to_review}
