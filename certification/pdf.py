"""The certificate PDF: HTML rendered by WeasyPrint with Noto CJK fonts and a segno QR code."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from .models import Credential

# WeasyPrint logs every layout step at INFO; one line per certificate is noise in a worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


STYLESHEET = Path(__file__).resolve().parent / "static" / "certification" / "certificate.css"


@lru_cache(maxsize=1)
def _font_config():  # type: ignore[no-untyped-def]
    # One FontConfiguration per process: fontconfig lookups are then cached between PDFs.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def _stylesheet():  # type: ignore[no-untyped-def]
    # Parsed and compiled once per process (a third of the render time when inline).
    from weasyprint import CSS

    return CSS(filename=str(STYLESHEET), font_config=_font_config())


def qr_png_data_uri(url: str) -> str:
    # A PNG with 8 px per module prints sharply at 32 mm and embeds faster than vector paths.
    return segno.make(url, error="m").png_data_uri(scale=8, border=2, dark="#1f2a44")


def certificate_html(credential: Credential) -> str:
    verification_url = credential.verification_url()
    with translation.override("zh-hans"):
        return render_to_string(
            "certification/certificate.html",
            {
                "credential": credential,
                "type": credential.credential_type,
                "name_zh": credential.printed_name_zh,
                "name_en": credential.printed_name_en,
                "issuing_body": settings.CERTIFICATION_ISSUING_BODY,
                "issuing_body_en": settings.CERTIFICATION_ISSUING_BODY_EN,
                "verification_url": verification_url,
                "qr_data_uri": qr_png_data_uri(verification_url),
            },
        )


# WeasyPrint (pango, fontconfig, the shared compiled stylesheet) is not safe to run from several
# threads of one process at once; parallelism comes from Celery's prefork processes instead.
_render_lock = threading.Lock()


def certificate_pdf(credential: Credential) -> bytes:
    from weasyprint import HTML

    html = certificate_html(credential)
    with _render_lock:
        return HTML(string=html).write_pdf(stylesheets=[_stylesheet()],
                                           font_config=_font_config())
