"""Content-Security-Policy and Permissions-Policy on every response.

Django 5.2 has no CSP of its own (Django 6.0 adds `ContentSecurityPolicyMiddleware`). The policy
is read from `SECURE_CSP`, in the shape Django 6.0 reads (directive → list of sources), so the
upgrade swaps this middleware for Django's. What Django 6.0 lacks is a relaxation by path, which
the Wagtail admin needs (its views are not ours to decorate): `SECURE_CSP_PATH_OVERRIDES`. The
same prefixes let a page opt in to a browser feature (`PERMISSIONS_POLICY_PATH_OVERRIDES`).

Settings are read per request so a test can change them; joining a dozen short lists is cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Policy = Mapping[str, Sequence[str]]


def _policy_for_path(
    path: str, policy: Policy, overrides: Mapping[str, Policy]
) -> dict[str, Sequence[str]]:
    """The policy with each override whose prefix matches `path` applied, shorter prefixes first,
    so a longer prefix has the last word; an override replaces a directive's sources."""
    result = dict(policy)
    for prefix in sorted(overrides, key=len):
        if path.startswith(prefix):
            result.update(overrides[prefix])
    return result


def csp_header(path: str) -> str:
    """`default-src 'self'; script-src 'self'; ...` for `path`."""
    policy = _policy_for_path(path, settings.SECURE_CSP, settings.SECURE_CSP_PATH_OVERRIDES)
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


def permissions_policy_header(path: str) -> str:
    """`camera=(), geolocation=(), ...`; an allow-list entry is `self` or a quoted origin."""
    policy = _policy_for_path(
        path, settings.PERMISSIONS_POLICY, settings.PERMISSIONS_POLICY_PATH_OVERRIDES
    )
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class SecurityHeadersMiddleware:
    """Adds both headers to every response (pages, errors, JSON, files)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Under DEBUG a 404 or 500 is Django's technical page, styled and scripted inline.
        if not (settings.DEBUG and response.status_code in (404, 500)):
            response.headers["Content-Security-Policy"] = csp_header(request.path)
        response.headers["Permissions-Policy"] = permissions_policy_header(request.path)
        return response
