"""Who may call the API's signed-in endpoints: a browser with the Django session (CSRF checked),
or an app client such as the WeChat mini-program, which signs in through allauth's headless API
(`POST /_allauth/app/v1/auth/login`) and sends the session token it gets as `X-Session-Token`."""

from __future__ import annotations

from typing import Any

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import SessionAuth


class BrowserSessionAuth(SessionAuth):
    """Django's session cookie, CSRF checked. A request without the cookie carries no ambient
    credential to forge, so it goes on to the token check instead of failing CSRF."""

    def _get_key(self, request: HttpRequest) -> str | None:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return super().authenticate(request, key) if key else None


class AppSessionTokenAuth(XSessionTokenAuth):
    """allauth's X-Session-Token, with the user also on `request.user`, where the endpoints and
    the services they call look for it."""

    openapi_in = "header"
    openapi_name = "X-Session-Token"

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user is not None:
            request.user = user
        return user


signed_in = [BrowserSessionAuth(), AppSessionTokenAuth()]


def permission_check(request: HttpRequest, code: str) -> None:
    """The API's side of a staff page's `permission_required(code, raise_exception=True)`: a
    signed-in caller without the permission gets 403 (ErrorOut), as the page answers 403."""
    if not request.user.has_perm(code):
        raise HttpError(403, _("You do not have permission to do this."))
