"""The one base of the domain errors every app raises (`CertificationError`, `ExamError`,
`LmsError`, `StandardImportError`, `ReviewError`, core's `UploadRefused`): a rule was not met,
and the message, translatable, tells a person what to do. A `ValidationError`, so forms and the
API show its messages as they are."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(ValidationError):
    """A business rule refused the request; nothing was written."""
