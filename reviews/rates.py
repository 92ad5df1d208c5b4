"""The review's arithmetic, pure and exact: a module passes when conforming ÷ judged reaches the
module's pass rate from the standard version (`StandardModulePage.pass_rate`, a percentage);
the review passes only if every module passes. Fractions throughout, never floats, so 18 of 20
at 90 % passes and 17 of 20 fails."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class ModuleRate:
    number: int
    total: int  # items in the module
    judged: int
    conforming: int
    pass_rate: Decimal  # percent, as on the standard version

    @property
    def rate(self) -> Fraction | None:
        """conforming ÷ judged; None while nothing is judged."""
        return Fraction(self.conforming, self.judged) if self.judged else None

    @property
    def rate_percent(self) -> Decimal | None:
        """The rate as a percentage rounded to 2 places, for people to read (never compared)."""
        rate = self.rate
        if rate is None:
            return None
        return (Decimal(rate.numerator) * 100 / Decimal(rate.denominator)).quantize(
            Decimal("0.01"))

    @property
    def complete(self) -> bool:
        return self.judged == self.total

    @property
    def passes(self) -> bool:
        """At or above the module's pass rate. A module with nothing judged does not pass; one
        with no items has nothing to fail."""
        if self.total == 0:
            return True
        rate = self.rate
        return rate is not None and rate >= Fraction(self.pass_rate) / 100


def module_rate(*, number: int, total: int, verdicts: Iterable[bool],
                pass_rate: Decimal) -> ModuleRate:
    """A module's rate from the verdicts recorded for its items (True = 符合)."""
    verdicts = list(verdicts)
    return ModuleRate(number=number, total=total, judged=len(verdicts),
                      conforming=sum(1 for v in verdicts if v), pass_rate=pass_rate)


def review_passes(modules: Iterable[ModuleRate]) -> bool:
    """Every module passes (a failed module fails the review)."""
    return all(module.passes for module in modules)
