"""How often one client may look a certificate up: by number lower than by the QR link, since
numbers are sequential and so can be guessed. The page and the API count in the same windows
(core.ratelimit)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from core.ratelimit import rate_allowed


def lookup_allowed(request: HttpRequest, *, by_link: bool) -> bool:
    if by_link:
        return rate_allowed(request, scope="certification:verify:link",
                            per_minute=settings.CERTIFICATION_VERIFY_LINK_PER_MINUTE)
    return rate_allowed(request, scope="certification:verify:number",
                        per_minute=settings.CERTIFICATION_VERIFY_NUMBER_PER_MINUTE)


def badge_check_allowed(request: HttpRequest) -> bool:
    """An uploaded badge costs a canonicalisation: counted like lookups by number."""
    return rate_allowed(request, scope="certification:verify:badge",
                        per_minute=settings.CERTIFICATION_VERIFY_NUMBER_PER_MINUTE)
