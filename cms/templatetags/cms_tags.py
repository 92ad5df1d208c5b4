from __future__ import annotations

from typing import Any

from django import template

from ..models import localized

register = template.Library()


@register.filter
def loc(obj: Any, field: str) -> Any:
    """`{{ item|loc:"title" }}`: the English field when the UI is in English and it is filled."""
    if obj is None:
        return ""
    return localized(obj, field)


@register.inclusion_tag("cms/includes/upcoming_cohorts.html", takes_context=True)
def upcoming_cohorts(context: dict[str, Any], limit: int = 4) -> dict[str, Any]:
    """Upcoming cohorts, read live from lms (the one upward read cms makes). Imported here, at
    render time, so cms works while lms is absent or incomplete."""
    try:
        from lms.selectors import cohorts_upcoming  # noqa: PLC0415
    except ImportError:
        return {"cohorts": [], "available": False, "request": context.get("request")}
    return {
        "cohorts": list(cohorts_upcoming(limit=limit)),
        "available": True,
        "request": context.get("request"),
    }
