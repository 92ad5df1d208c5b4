"""One input-hygiene layer for every request, before any view, form, API schema or query.

PostgreSQL refuses NUL in text (a `DataError`, so a 500 wherever a NUL reached a query), and no
person types control characters: a request carrying one anywhere — path, query string, header,
cookie, form field or JSON string — is answered 400 here, as JSON on the APIs and as the site's
page elsewhere. Text that is not UTF-8 in the query string, a urlencoded form or a JSON body is
refused the same way, instead of being stored with U+FFFD in place of what was sent (Django
decodes multipart fields itself, with U+FFFD: names refuse that character, `core.text`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .text import code_point, header_control_character, text_control_character

# Where a client reads JSON rather than a page.
JSON_PATH_PREFIXES = ("/api/", "/_allauth/")


class BadInput(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refuse_control(value: str, *, where: str) -> None:
    character = text_control_character(value)
    if character is not None:
        raise BadInput(_("The %(where)s contains a control character (%(code_point)s), which no "
                         "field accepts. Remove it and try again.")
                       % {"where": where, "code_point": code_point(character)})


def _urlencoded_text(raw: bytes, *, where: str) -> str:
    """Percent-decoded text of a query string or form body, refused unless it is UTF-8."""
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(_("The %(where)s is not valid UTF-8 text.") % {"where": where}) from exc


def _json_strings(document: Any) -> list[str]:
    """Every key and string value in a parsed JSON document (iteratively: no recursion limit)."""
    found: list[str] = []
    pending = [document]
    while pending:
        node = pending.pop()
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            found.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _check_body(request: HttpRequest) -> None:
    content_type = request.content_type or ""
    where = _("request body")
    if content_type == "application/x-www-form-urlencoded":
        _refuse_control(_urlencoded_text(request.body, where=where), where=where)
    elif content_type == "multipart/form-data":
        # Parses the upload here, as CsrfViewMiddleware does for any POST it checks: a view
        # cannot swap `request.upload_handlers` afterwards (none here does).
        for name, values in request.POST.lists():
            for value in (name, *values):
                _refuse_control(value, where=where)
    elif content_type == "application/json" or content_type.endswith("+json"):
        if not request.body:
            return
        try:
            document = json.loads(request.body)
        except UnicodeDecodeError as exc:
            raise BadInput(_("The %(where)s is not valid UTF-8 text.") % {"where": where}) from exc
        except (ValueError, RecursionError):
            return  # not JSON at all: the view's own parser answers that
        for value in _json_strings(document):
            _refuse_control(value, where=where)


def request_input_check(request: HttpRequest) -> None:
    """Raise BadInput when any part of the request carries a control character or non-UTF-8
    text."""
    _refuse_control(request.path_info, where=_("address"))
    query = request.META.get("QUERY_STRING", "")
    if query:
        where = _("query string")
        _refuse_control(_urlencoded_text(query.encode("latin-1", "replace"), where=where),
                        where=where)
    headers = [value for key, value in request.META.items()
               if key.startswith("HTTP_") and isinstance(value, str)]
    if any(header_control_character(value) for value in headers) or any(
            text_control_character(value) for value in request.COOKIES.values()):
        # Cookies are checked once unquoted too: a quoted cookie can spell a NUL as "\000".
        raise BadInput(_("A request header or cookie contains a control character."))
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        _check_body(request)


class InputHygieneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            request_input_check(request)
        except BadInput as refusal:
            return self.refuse(request, refusal.message)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, message: str) -> HttpResponse:
        if request.path_info.startswith(JSON_PATH_PREFIXES):
            return JsonResponse({"detail": message, "code": "invalid_input"}, status=400)
        return render(request, "core/bad_input.html", {"message": message}, status=400)
