"""Checks every upload form applies before a file reaches a parser."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .uploads import IMPORT_LIMITS, xlsx_check

IMPORT_MAX_BYTES = IMPORT_LIMITS.max_bytes
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# What each accepted evidence format starts with: the extension alone proves nothing.
EVIDENCE_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


def file_size_limit(max_bytes: int) -> Callable[[UploadedFile], None]:
    def check(upload: UploadedFile) -> None:
        if upload.size is not None and upload.size > max_bytes:
            raise ValidationError(
                _("The file is %(size)s; the limit is %(limit)s."),
                code="file_too_large",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            )

    return check


def workbook_within_limits(upload: UploadedFile) -> None:
    """An .xlsx whose zip would unpack too far is refused in the form, before it is stored
    or parsed (core.uploads.xlsx_check reads only the zip's directory)."""
    too_large = upload.size is not None and upload.size > IMPORT_LIMITS.max_bytes
    if (upload.name or "").lower().endswith(".xlsx") and not too_large:  # else: said above
        xlsx_check(upload, limits=IMPORT_LIMITS)


def import_file_validators(*extensions: str) -> list[Callable[[UploadedFile], None]]:
    """For spreadsheet and data imports: the allowed extensions, a size fit for a form and,
    for workbooks, the unpacking limits. The parsers apply the rest of core.uploads."""
    return [FileExtensionValidator(list(extensions)), file_size_limit(IMPORT_MAX_BYTES),
            workbook_within_limits]


def file_content_matches_extension(upload: UploadedFile) -> None:
    extension = (upload.name or "").rsplit(".", 1)[-1].lower()
    signatures = EVIDENCE_SIGNATURES.get(extension)
    if signatures is None:
        return  # the extension check reports it
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError(
            _("The file's content is not a %(kind)s file."),
            code="file_content_mismatch", params={"kind": extension.upper()},
        )


def evidence_file_validators() -> list[Callable[[UploadedFile], None]]:
    """For evidence people upload (certificates of attendance, scans): PDF, PNG or JPEG whose
    content really is that format, within a size fit for a form."""
    return [
        FileExtensionValidator(list(EVIDENCE_SIGNATURES)),
        file_size_limit(EVIDENCE_MAX_BYTES),
        file_content_matches_extension,
    ]
