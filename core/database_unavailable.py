"""A database that cannot be reached answers 503 with Retry-After, never a 500.

While PostgreSQL restarts (an upgrade, a failover, `pg_ctl restart`) every query fails for some
seconds with `OperationalError` (connection refused, "terminating connection due to
administrator command") or `InterfaceError` (a connection that broke mid-request). Those are not
bugs: clients (the exam page, the app) keep what they were sending and try again after
`Retry-After`, so they get a 503 that says so, as `{"detail", "code": "database_unavailable"}`
on the APIs and as a translated page elsewhere. Errors that leave the database reachable (a lock
or statement timeout, a missing table) are not this: they stay 500s.

Where the error is raised decides which of Django's paths carries it, and both call
`database_unavailable_response`:
- in a view (django-ninja re-raises what it does not handle): the middleware's
  `process_exception`;
- in middleware that touches the database before the view (the session store, `request.user`
  read by StaffMFAMiddleware and allauth): Django turns it into a response at that layer with
  `handler500`, which is `server_error` here (config/urls.py).

The 503 page renders without the request's context processors and without `base.html`: both
read `request.user`, that is, the database that is down.

Logged once per outage and process (a warning with the first traceback), not once per request;
the first connection made after it logs how long it lasted and how many requests got a 503.
Reconnecting is Django's: `CONN_HEALTH_CHECKS` closes a persistent connection that broke, and
the next request opens a new one.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .error_pages import server_error_page
from .middleware import JSON_PATH_PREFIXES

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again: a restart takes a few seconds, and clients
# that honour it (the exam page, bench/fault_postgres_restart.py) add their own jitter.
RETRY_AFTER_SECONDS = 5

# SQLSTATEs that mean "the server cannot serve this connection": class 08 (connection exception)
# and the server shutting down, crashing or still starting (57P01-57P03). An OperationalError
# without a SQLSTATE never reached a server (refused, reset, timed out).
_UNREACHABLE_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")


def database_unreachable(exc: BaseException) -> bool:
    """Whether `exc` (or what it was raised from) says the database cannot be reached."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:
        if isinstance(current, InterfaceError):
            return True
        if isinstance(current, OperationalError):
            sqlstate = getattr(current.__cause__, "sqlstate", None)
            return sqlstate is None or sqlstate.startswith(_UNREACHABLE_SQLSTATE_PREFIXES)
        current = current.__cause__ or current.__context__
        seen += 1
    return False


class _Outage:
    """This process's view of the current outage, for logging once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.began: float | None = None
        self.refused = 0

    def record(self, request: HttpRequest, exc: BaseException) -> None:
        with self.lock:
            first = self.began is None
            if first:
                self.began = time.monotonic()
            self.refused += 1
        if first:
            logger.warning("Database unreachable (%s %s): answering 503 until it returns",
                           request.method, request.path, exc_info=exc)

    def end(self) -> None:
        with self.lock:
            if self.began is None:
                return
            lasted, refused = time.monotonic() - self.began, self.refused
            self.began, self.refused = None, 0
        logger.warning("Database reachable again after %.1f s; %d request(s) answered 503",
                       lasted, refused)


_outage = _Outage()


def _connected(**kwargs: Any) -> None:
    _outage.end()


connection_created.connect(_connected, dispatch_uid="core.database_unavailable")


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    _outage.record(request, exc)
    # LocaleMiddleware may not have run yet (the error can come from the session middleware
    # before it); the cookie and Accept-Language are read without the database.
    with translation.override(translation.get_language_from_request(request)):
        message = _("The service is briefly unavailable. What you sent was not saved yet: "
                    "please try again in a few seconds.")
        if request.path_info.startswith(JSON_PATH_PREFIXES):
            response: HttpResponse = JsonResponse(
                {"detail": message, "code": "database_unavailable"}, status=503)
        else:
            response = HttpResponse(render_to_string("core/database_unavailable.html", {
                "message": message, "retry_after": RETRY_AFTER_SECONDS,
                "LANGUAGE_CODE": translation.get_language(),
            }), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged once per outage above, not once per request by django.request.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class DatabaseUnavailableMiddleware:
    """503 for a view whose database cannot be reached (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unreachable(exception):
            return database_unavailable_response(request, exception)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 when the database could not be reached, the platform's 500 page
    otherwise (core.error_pages)."""
    exc = sys.exc_info()[1]
    if exc is not None and database_unreachable(exc):
        return database_unavailable_response(request, exc)
    return server_error_page(request)
