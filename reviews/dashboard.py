"""The reviews panel on /me/: the reviews a reviewer has been drawn for, and the organisations
whose review applications the person works on."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import MemberState
from .selectors import memberships_in_organisations, memberships_of


def panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    memberships = list(memberships_of(request.user).filter(state=MemberState.DRAWN)[:5])
    organisations = list(memberships_in_organisations(request.user)[:5])
    if not memberships and not organisations:
        return None
    return {"template": "reviews/dashboard_panel.html", "memberships": memberships,
            "organisations": organisations}
