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
    # Evidence files (PDF, PNG, JPEG): the largest upload in bytes, checked before anything
    # beyond the first bytes is read.
    "REVIEWS_EVIDENCE_MAX_BYTES": 20 * 1024 * 1024,
    # The most pages a PDF may have, read from its page tree before any page is loaded.
    "REVIEWS_EVIDENCE_MAX_PAGES": 200,
    # The most pixels an image may declare in its header (a decompression bomb declares far
    # more than its bytes); also the most pixels a rendered page may have.
    "REVIEWS_EVIDENCE_MAX_PIXELS": 50_000_000,
    # The width in pixels pages are rendered at for viewing (A4 at about 150 dpi).
    "REVIEWS_EVIDENCE_PAGE_WIDTH": 1240,
    # The expert committee's spot-check (抽查): the percentage of the decided reviews a draw
    # takes (rounded up), and at least this many when any can be drawn.
    "REVIEWS_SPOTCHECK_RATE": 20,
    "REVIEWS_SPOTCHECK_MIN_REVIEWS": 1,
    # In each drawn review, the percentage of each module's items re-judged (rounded up), at
    # least this many, never more than the module has.
    "REVIEWS_SPOTCHECK_ITEM_RATE": 10,
    "REVIEWS_SPOTCHECK_MIN_ITEMS": 2,
}


def setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
