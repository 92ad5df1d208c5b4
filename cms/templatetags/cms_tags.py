from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

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
        from lms.selectors import cohorts_upcoming
    except ImportError:
        return {"cohorts": [], "available": False}
    cohorts = []
    for cohort in cohorts_upcoming(limit=limit):
        try:
            url = reverse("lms:cohort_detail", kwargs={"code": cohort.code})
        except NoReverseMatch:
            url = ""
        cohorts.append({"cohort": cohort, "url": url})
    return {"cohorts": cohorts, "available": True}
