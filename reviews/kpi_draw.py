"""THE draw of the month recomputed from source records: a pure function of the 12 months and
a seed. No database, no clock, no global random state.

  digest = HMAC-SHA256(key = the seed's bytes (64 hex digits → 32 bytes),
                       message = the months in ASCII, sorted, "2026-01,2026-02,…,2026-12")
  drawn  = the months sorted, at index int(digest, big-endian) mod 12

Anyone with the stored months and seed gets the same month back (`month_draw_verify`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence

from .draw import seed_new

__all__ = ["month_draw", "months_message", "seed_new"]


def months_message(months: Sequence[dt.date]) -> bytes:
    return ",".join(f"{month:%Y-%m}" for month in sorted(months)).encode("ascii")


def month_draw(months: Sequence[dt.date], seed: str) -> dt.date:
    """The month of `months` the seed draws (see the module's docstring)."""
    ordered = sorted(months)
    if not ordered:
        raise ValueError("no months to draw from")
    digest = hmac.new(bytes.fromhex(seed), months_message(ordered), hashlib.sha256).digest()
    return ordered[int.from_bytes(digest, "big") % len(ordered)]
