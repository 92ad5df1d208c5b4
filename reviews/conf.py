"""The review's settings, with their defaults in this one place; each can be overridden in the
Django settings (e.g. `REVIEWS_TEAM_SIZE = 5`)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

DEFAULTS: dict[str, int | str] = {
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
    # The drawn month's KPIs recomputed from source records: a rate (%) that differs from the
    # reported one by more than this many percentage points is a flagged mismatch...
    "REVIEWS_KPI_TOLERANCE_POINTS": 2,
    # ...and a time in seconds (ASA) that differs by more than this percentage of the
    # recomputed value.
    "REVIEWS_KPI_TOLERANCE_SECONDS_PERCENT": 5,
    # Reviewers' fees: the daily labour fee in CNY (a sample figure; the body sets the real
    # one). Read with `money_setting`; each fee record keeps the fee used when it was recorded.
    "REVIEWS_DAILY_FEE": "2000.00",
    # KPI benchmarking: a cell (KPI × industry) is shown only when at least this many
    # organisations contribute to it (never fewer, in pages, API and exports).
    "REVIEWS_BENCHMARK_MIN_ORGANISATIONS": 5,
    # The months of an organisation's latest reviewed project that count (its latest ones).
    "REVIEWS_BENCHMARK_MONTHS": 12,
    # An interviewee's signature drawn on a phone's screen: a PNG of at most this many bytes
    # and pixels (a phone's canvas is well within both).
    "REVIEWS_SIGNATURE_MAX_BYTES": 1024 * 1024,
    "REVIEWS_SIGNATURE_MAX_PIXELS": 4_000_000,
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


def money_setting(name: str) -> Decimal:
    """A setting that is an amount of money: a Decimal in CNY with 2 places (never a float:
    a setting written as 2000.1 is read through its text)."""
    return Decimal(str(getattr(settings, name, DEFAULTS[name]))).quantize(Decimal("0.01"))
