"""The platform's own error pages: 403, 404 and 500 in the person's language and the site layout.

Django renders `403.html` and `404.html` (templates in core/templates) through its default
handlers, with the request's context, so they extend `base.html` like any page. The 500 page is
rendered here, without the request's context processors: the error may be the database itself,
and those read `request.user` from it. `base.html` then shows the signed-out header.

On `make run` (DEBUG on, for the auto-reloader, static and media files) Django would show its
technical 404 and 500 pages instead; `PlatformErrorPagesMiddleware` (added by
config/settings/dev.py) shows these pages there too and prints the traceback to the console.
`DJANGO_TECHNICAL_ERROR_PAGES=1 make run` brings Django's technical pages back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.urls import get_resolver, get_urlconf
from django.utils import translation

logger = logging.getLogger("django.request")


def server_error_page(request: HttpRequest) -> HttpResponse:
    """The 500 page. Needs no database: no context processors, no session, no user."""
    # LocaleMiddleware may not have run (the error can come from middleware before it); the
    # language cookie and Accept-Language are read without the database.
    with translation.override(translation.get_language_from_request(request)):
        return HttpResponseServerError(render_to_string("500.html", {
            "LANGUAGE_CODE": translation.get_language(),
        }))


class PlatformErrorPagesMiddleware:
    """With DEBUG on (`make run`), a view's 404 or unhandled error gets the platform's page, not
    Django's technical one; the traceback goes to the console. It is first in MIDDLEWARE, so its
    `process_exception` runs after every other middleware's: errors they answer (the database
    outage's 503, allauth's reauthentication redirect) are theirs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        resolver = get_resolver(get_urlconf())
        if isinstance(exception, Http404):
            # handler404 takes the exception too (django-stubs types every handler as handler500)
            page_not_found: Callable[..., HttpResponse] = resolver.resolve_error_handler(404)
            return page_not_found(request, exception)
        if isinstance(exception, (PermissionDenied, BadRequest, SuspiciousOperation)):
            return None  # Django answers these with its own handlers whatever DEBUG says
        logger.error("Internal Server Error: %s", request.path, exc_info=exception,
                     extra={"status_code": 500, "request": request})
        response = resolver.resolve_error_handler(500)(request)
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

