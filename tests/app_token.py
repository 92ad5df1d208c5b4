"""Sign in as an app client (the WeChat mini-program) does: allauth's headless login, the TOTP
step for staff, and then only the X-Session-Token header on /api/v1/ (no cookie, no CSRF)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

PASSWORD = "pass-Word-123"  # user_factory's default
LOGIN = "/_allauth/app/v1/auth/login"
SECOND_FACTOR = "/_allauth/app/v1/auth/2fa/authenticate"


def app_headers(client: Client, user: Any, *,
                totp_code: Callable[[Any], str] | None = None) -> dict[str, str]:
    """The headers of an app request signed in as `user` (staff pass `totp_code`)."""
    response = client.post(LOGIN, data=json.dumps({"email": user.email, "password": PASSWORD}),
                           content_type="application/json")
    token = response.json()["meta"]["session_token"]
    if response.status_code == 401 and totp_code is not None:
        response = client.post(SECOND_FACTOR, data=json.dumps({"code": totp_code(user)}),
                               content_type="application/json", HTTP_X_SESSION_TOKEN=token)
        token = response.json()["meta"].get("session_token", token)
    assert response.status_code == 200, response.content
    client.cookies.clear()
    return {"HTTP_X_SESSION_TOKEN": token}


def as_json(data: Any) -> dict[str, Any]:
    """Keyword arguments of a JSON request body for the test client."""
    return {"data": json.dumps(data), "content_type": "application/json"}
