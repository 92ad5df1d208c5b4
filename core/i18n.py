"""The platform's languages: one of settings.LANGUAGES for whatever code a browser or a form
gives (zh-cn, zh-Hans-CN, en-GB, or nothing)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant


def language_supported(code: str | None) -> str:
    try:
        return get_supported_language_variant((code or settings.LANGUAGE_CODE).lower())
    except LookupError:
        return settings.LANGUAGE_CODE
