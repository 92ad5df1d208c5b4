"""How many times a client may do one thing a minute: a fixed one-minute window per client IP
and scope, counted in the shared cache (so every web process counts together; while Redis is
down each process counts on its own, core.cache).

allauth limits its own flows (sign-in, sign-up, password reset) with `ACCOUNT_RATE_LIMITS`; its
counter reads only those settings, so the project's own limits (the public certificate lookup)
count here. A caller refuses with 429 and `Retry-After: RETRY_AFTER_SECONDS`.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

WINDOW_SECONDS = 60
# A refused client may ask again once the window has turned, at the latest a minute later.
RETRY_AFTER_SECONDS = WINDOW_SECONDS


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def rate_allowed(request: HttpRequest, *, scope: str, per_minute: int,
                 now: datetime | None = None) -> bool:
    """Count this request in its client's window for `scope`; False once the window holds more
    than `per_minute` requests."""
    window = int((now or timezone.now()).timestamp() // WINDOW_SECONDS)
    key = f"ratelimit:{scope}:{client_ip(request)}:{window}"
    # The key outlives its window by one more, so a counter is never dropped while in use.
    cache.add(key, 0, timeout=2 * WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=2 * WINDOW_SECONDS)
        count = 1
    return count <= per_minute
