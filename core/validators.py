"""Checks every upload form applies before a file reaches a parser."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def file_size_limit(max_bytes: int) -> Callable[[UploadedFile], None]:
    def check(upload: UploadedFile) -> None:
        if upload.size is not None and upload.size > max_bytes:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                code="file_too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            )

    return check


def import_file_validators(*extensions: str) -> list[Callable[[UploadedFile], None]]:
    """For spreadsheet and data imports: the allowed extensions and a size fit for a form."""
    return [FileExtensionValidator(list(extensions)), file_size_limit(IMPORT_MAX_BYTES)]
