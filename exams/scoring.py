"""Exact marking: fractions in, fractions out. Percentages are rounded only for display."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .models import MultipleChoiceRule, QuestionKind


def item_credit(*, kind: str, selected: Iterable[str], correct: Iterable[str],
                rule: str = MultipleChoiceRule.ALL_OR_NOTHING) -> Fraction:
    """Credit for one answer, between 0 and 1.

    Single choice and true/false: 1 for the right key, else 0. Multiple choice, all-or-nothing
    (the default): 1 only for exactly the right set. Multiple choice, proportional:
    (right keys chosen − wrong keys chosen) ÷ number of right keys, never below 0.
    """
    chosen, right = set(selected), set(correct)
    if not chosen:
        return Fraction(0)
    if kind != QuestionKind.MULTIPLE or rule == MultipleChoiceRule.ALL_OR_NOTHING:
        return Fraction(1) if chosen == right else Fraction(0)
    hits, misses = len(chosen & right), len(chosen - right)
    return max(Fraction(0), Fraction(hits - misses, len(right)))


def percent(fraction: Fraction) -> Decimal:
    """A fraction as a percentage rounded half-up to two places (display only)."""
    value = Decimal(fraction.numerator * 100) / Decimal(fraction.denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def passes(score: Fraction, pass_mark_percent: Decimal) -> bool:
    """Compare exact values: 60/100 passes a 60% mark, 5999/10000 does not."""
    return score >= Fraction(pass_mark_percent) / 100
