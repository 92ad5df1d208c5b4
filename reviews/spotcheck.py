"""THE spot-check selection (抽查): pure functions of (frozen candidates, seed, rate, minimum).
No database, no clock, no global random state; the seeded order is the reviewer draw's
(`reviews.draw.seeded_order`, HMAC-SHA256 keyed by the seed).

  sample_size(n, percent, minimum) = 0 when n = 0, else min(n, max(minimum, ⌈n × percent ÷ 100⌉))
  reviews drawn  = the first sample_size(len(pool)) of seeded_order(seed, pool)
  items of a module in a drawn review = the first sample_size(len(items)) of
                   seeded_order(seed, items, key_prefix="<project id>/")

So anyone with the stored pool, the frozen item lists and the seed gets the same selection
back, and each review's items depend on the same seed but not on the other reviews.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from .draw import seeded_order


def sample_size(n: int, *, percent: int, minimum: int) -> int:
    """How many of `n` a sample takes: `percent` of them rounded up, at least `minimum`, never
    more than there are."""
    if n <= 0:
        return 0
    by_rate = -(-n * percent // 100)  # ceiling, exact in integers
    return min(n, max(minimum, by_rate))


def reviews_select(*, pool: Sequence[int], seed: str, percent: int, minimum: int) -> list[int]:
    """The decided reviews (project ids) a spot-check draws from its frozen `pool`, in the
    seeded order."""
    order = seeded_order(seed, pool)
    return order[:sample_size(len(order), percent=percent, minimum=minimum)]


def items_select(*, project_id: int, modules: Mapping[str, Sequence[int]], seed: str,
                 percent: int, minimum: int) -> dict[str, list[int]]:
    """The items re-judged in one drawn review: per module (its number as a string → the
    module's item ids as frozen), a seeded sample of them."""
    chosen = {}
    for number, items in modules.items():
        order = seeded_order(seed, items, key_prefix=f"{project_id}/")
        chosen[number] = order[:sample_size(len(order), percent=percent, minimum=minimum)]
    return chosen


@dataclass(frozen=True)
class Agreement:
    """Items re-checked for a reviewer and how many the committee agreed with."""

    checked: int
    agreed: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.agreed, self.checked) if self.checked else None

    @property
    def percent(self) -> str:
        """For people: the rate as a percentage to one place ("—" with nothing checked)."""
        rate = self.rate
        if rate is None:
            return "—"
        tenths = round(rate * 1000)
        return f"{tenths // 10}.{tenths % 10}%"

    def __add__(self, other: Agreement) -> Agreement:
        return Agreement(self.checked + other.checked, self.agreed + other.agreed)
