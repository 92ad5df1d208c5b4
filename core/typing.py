"""Types shared by views: a request whose user is known to be signed in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For views behind `login_required` (or an API route with session auth)."""

    user: User
