"""Staff sign in with a second factor, whichever way they came in.

Every way in (allauth's pages, the headless app API, the Django and Wagtail admins, which send
their logins to allauth) runs allauth's login stages, and allauth asks for the TOTP code there.
This middleware is the rule behind them, for every request:

- a staff member with no second factor is sent to set one up (API calls get a 403 JSON answer)
  before any other page opens;
- a staff session whose login did not pass allauth's MFA step (allauth records each
  authentication step in the session) is signed out, so a login path that bypasses allauth
  cannot open a staff page either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _

from .selectors import user_has_second_factor, user_is_staff_member

# What a staff member without a second factor may still open: setting one up (allauth asks for
# the password again, and for a verified email, first), signing out, the language switch, and
# allauth's headless API, through which the app sets one up.
_SETUP_URL_NAMES = {
    "account_logout",
    "account_reauthenticate",
    "account_email",
    "account_email_verification_sent",
    "account_confirm_email",
    "set_language",
}
_SETUP_NAMESPACES = {"headless"}


def session_passed_mfa(*, session: SessionBase, user: AbstractBaseUser) -> bool:
    """Whether this session's sign-in included a second factor (allauth's own records)."""
    holder = HttpRequest()
    holder.session = session
    return any(record.get("method") == "mfa" for record in get_authentication_records(holder, user))


class StaffMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any,
                     view_kwargs: Any) -> HttpResponse | None:
        user, session, by_token = self._signed_in(request)
        if user is None or not user_is_staff_member(user):
            return None
        match = request.resolver_match
        is_setup = match is not None and (
            (match.url_name or "").startswith("mfa_")
            or match.url_name in _SETUP_URL_NAMES
            or bool(_SETUP_NAMESPACES.intersection(match.namespaces))
        )
        wants_json = by_token or (match is not None and "api-v1" in match.namespaces)
        if not user_has_second_factor(user):
            if is_setup:
                return None
            message = _(
                "Staff accounts need two-factor authentication. Set up an authenticator app "
                "to continue."
            )
            if wants_json:
                return JsonResponse({"detail": message, "code": "mfa_setup_required"}, status=403)
            messages.warning(request, message)
            # No `next`: activation ends on the new recovery codes, which must be seen first.
            return HttpResponseRedirect(resolve_url("mfa_activate_totp"))
        if session_passed_mfa(session=session, user=user) or (by_token and is_setup):
            # (An app's session stays free to sign out, or to sign in again, through allauth.)
            return None
        message = _(
            "Staff accounts sign in with their two-factor code. Please sign in again."
        )
        if wants_json:
            return JsonResponse({"detail": message, "code": "mfa_login_required"}, status=403)
        logout(request)
        messages.warning(request, message)
        return redirect_to_login(request.get_full_path(), resolve_url("account_login"))

    @staticmethod
    def _signed_in(request: HttpRequest) -> tuple[Any, SessionBase, bool]:
        """The signed-in user, their session and whether it came as an app's X-Session-Token
        (the API authenticates those in the view, after middleware)."""
        if request.user.is_authenticated:
            return request.user, request.session, False
        token = request.headers.get("X-Session-Token")
        found = authenticate_by_x_session_token(token) if token else None
        if found:
            return found[0], found[1], True
        return None, request.session, False

