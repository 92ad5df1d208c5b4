"""Domain errors of the review of contact centres."""

from __future__ import annotations

from core.errors import DomainError


class ReviewError(DomainError):
    """A rule of the review was not met (message is translatable)."""
