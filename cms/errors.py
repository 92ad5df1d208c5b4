"""Domain errors of the standard."""

from __future__ import annotations

from core.errors import DomainError


class StandardImportError(DomainError):
    """A structured file that cannot be imported; each message names the row or path."""
