"""The one way a staff page says who may open it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse

V = TypeVar("V", bound=Callable[..., HttpResponse])


def staff_view(permission: str) -> Callable[[V], V]:
    """Signed in (a signed-out visitor is sent to sign in), and holding `permission` (403
    otherwise). The API's counterpart is `core.api_auth.permission_check`."""

    def decorate(view: V) -> V:
        return cast(V, login_required(permission_required(permission, raise_exception=True)(view)))

    return decorate
