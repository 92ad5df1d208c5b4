"""Responses that several apps' views share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# How often the "being prepared" page asks again for a file a worker is rendering.
FILE_PREPARING_REFRESH_SECONDS = 5


def file_preparing_response(request: HttpRequest, *, heading: str, message: str,
                            back_url: str = "", back_label: str = "") -> HttpResponse:
    """202 with a page in the reader's language that reloads itself until the file a task is
    rendering (a certificate, the standard's PDF) is ready, when the same URL serves it."""
    response = render(request, "core/file_preparing.html", {
        "heading": heading, "message": message, "back_url": back_url, "back_label": back_label,
        "refresh_seconds": FILE_PREPARING_REFRESH_SECONDS,
    }, status=202)
    response["Retry-After"] = str(FILE_PREPARING_REFRESH_SECONDS)
    return response
