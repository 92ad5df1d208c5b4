"""Domain errors of the certification scheme."""

from __future__ import annotations

from core.errors import DomainError


class CertificationError(DomainError):
    """A rule of the certification scheme was not met (message is translatable)."""
