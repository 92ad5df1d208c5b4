"""Template context for the account menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import workspace_tools


def workspace(request: HttpRequest) -> dict[str, Any]:
    # Lazy: only a page that shows the account menu asks for the person's permissions.
    return {"workspace_tools": SimpleLazyObject(lambda: workspace_tools(request.user))}
