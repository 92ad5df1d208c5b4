"""THE draw: a pure function of (frozen pool, seed, team size, lead rule and those qualified to
lead, those left out) → (team, lead). No database, no clock, no global random state.

Construction (stable by construction, whatever the Python version):
  rank(r) = HMAC-SHA256(key = the seed's bytes (64 hex digits → 32 bytes),
                        message = the reviewer id in ASCII decimal, e.g. b"42")
The available reviewers (the pool minus `exclude`) are ordered by rank (the 32-byte digest
compared as bytes, ascending; ties, which HMAC makes practically impossible, by lower id).
  1. When a lead is drawn: the lead is the first in that order among those qualified to lead.
  2. The other members are the first `team_size - 1` (or `team_size` without a lead) of the
     order, the lead left out.
So each reviewer's place depends only on the seed and their own id: the pool's order does not
change the team, and anyone with the stored pool and seed gets the same team back.
A redraw after a decline is the same function over the same frozen pool with a new seed, those
already on (or declined from) the team in `exclude`, team size 1, and a lead only when the one
who declined was the lead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import ReviewError


@dataclass(frozen=True)
class DrawResult:
    team: tuple[int, ...]  # the lead first when one is drawn
    lead: int | None


def seed_new() -> str:
    """A fresh seed: 32 bytes from the operating system's CSPRNG, as 64 hex digits."""
    return secrets.token_hex(32)


def rank(seed: str, reviewer_id: int | str) -> bytes:
    """HMAC-SHA256(seed, the id (or a key such as "12/345") in ASCII)."""
    return hmac.new(bytes.fromhex(seed), str(reviewer_id).encode("ascii"),
                    hashlib.sha256).digest()


def seeded_order(seed: str, ids: Collection[int], *, key_prefix: str = "") -> list[int]:
    """`ids` (each once) ordered by rank(seed, key_prefix + id), ties by the lower id: the one
    seeded shuffle, shared by the reviewer draw and the committee's spot-checks
    (`reviews/spotcheck.py`). Each id's place depends only on the seed and its own key."""
    return sorted(dict.fromkeys(ids),
                  key=lambda i: (rank(seed, f"{key_prefix}{i}" if key_prefix else i), i))


def draw_team(*, pool: Sequence[int], seed: str, team_size: int, qualified: Collection[int],
              draws_lead: bool = True, exclude: Collection[int] = ()) -> DrawResult:
    """The team drawn from `pool` (see the module's docstring); refuses with a ReviewError
    when too few are available or no one available is qualified to lead."""
    if team_size < 1:
        raise ReviewError(_("A team needs at least one reviewer."))
    left_out = set(exclude)
    available = [reviewer for reviewer in dict.fromkeys(pool) if reviewer not in left_out]
    if len(available) < team_size:
        raise ReviewError(ngettext(
            "Only %(available)d eligible reviewer is left for a team of %(size)d: widen the "
            "pool (promote reviewers, check the exclusions) before drawing.",
            "Only %(available)d eligible reviewers are left for a team of %(size)d: widen the "
            "pool (promote reviewers, check the exclusions) before drawing.",
            len(available)) % {"available": len(available), "size": team_size})
    order = seeded_order(seed, available)
    lead: int | None = None
    if draws_lead:
        qualified_set = set(qualified)
        lead = next((reviewer for reviewer in order if reviewer in qualified_set), None)
        if lead is None:
            raise ReviewError(_("No eligible reviewer is qualified to lead: a lead needs the "
                                "completed reviews the settings require."))
        members = [reviewer for reviewer in order if reviewer != lead][:team_size - 1]
        return DrawResult(team=(lead, *members), lead=lead)
    return DrawResult(team=tuple(order[:team_size]), lead=None)
