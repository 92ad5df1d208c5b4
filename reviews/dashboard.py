"""The reviews panel on /me/: the reviews a reviewer has been drawn for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import MemberState
from .selectors import memberships_of


def panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    memberships = list(memberships_of(request.user).filter(state=MemberState.DRAWN)[:5])
    if not memberships:
        return None
    return {"template": "reviews/dashboard_panel.html", "memberships": memberships}
