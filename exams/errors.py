"""Domain errors: each carries a translatable message a person can act on."""

from __future__ import annotations

from core.errors import DomainError


class ExamError(DomainError):
    """Base class; `code` tells the API which HTTP status fits."""

    status = 400


class NotEligible(ExamError):
    status = 403


class AttemptClosed(ExamError):
    status = 409


class TooLate(ExamError):
    status = 409


class BlueprintUnfillable(ExamError):
    status = 400


class ImportRejected(ExamError):
    """The whole file was rejected; `errors` lists every problem by row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors)
        self.errors = errors
