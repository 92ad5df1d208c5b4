"""API operations that answer a file (a certificate PDF, a calendar) instead of JSON: how the
OpenAPI schema documents the file, so generated clients and the schema fuzz test know it."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class PreparingOut(Schema):
    """202: the file is being rendered by a task; ask again after `retry_after` seconds (also
    in the Retry-After header)."""

    detail: str
    retry_after: int


def file_openapi(content_type: str, description: str) -> dict[str, Any]:
    """`openapi_extra` for an operation whose 200 answer is a file of `content_type`."""
    return {"responses": {200: {"description": description, "content": {
        content_type: {"schema": {"type": "string", "format": "binary"}}}}}}
