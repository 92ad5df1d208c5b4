"""The review's settings, with their defaults in this one place; each can be overridden in the
Django settings (e.g. `REVIEWS_TEAM_SIZE = 5`)."""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, int] = {
    # Reviewers on a team, the lead included.
    "REVIEWS_TEAM_SIZE": 3,
    # Anyone employed by an organisation of the applicant's conflict set now or within this
    # many years is excluded.
    "REVIEWS_EMPLOYMENT_WINDOW_YEARS": 2,
    # The teams of this many previous projects of the same organisation are excluded
    # (rotation); 0 switches rotation off.
    "REVIEWS_ROTATION_CYCLES": 1,
    # Completed reviews a reviewer needs to be drawn as lead (评审组长).
    "REVIEWS_LEAD_MIN_REVIEWS": 2,
    # The review fee in CNY, paid with the application (a sample figure: the standard body
    # sets the real one).
    "REVIEWS_FEE": 50000,
}


def setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
