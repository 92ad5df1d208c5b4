"""Writes of the review, one topic per module, re-exported here."""

from ..errors import ReviewError
from .draws import DrawCheck, draw_run, draw_verify, team_member_decline
from .evidence import (
    evidence_page_view,
    evidence_pages_render,
    evidence_request_create,
    evidence_upload,
    evidence_version_add,
    watermark_text,
)

__all__ = [
    "DrawCheck",
    "ReviewError",
    "draw_run",
    "draw_verify",
    "evidence_page_view",
    "evidence_pages_render",
    "evidence_request_create",
    "evidence_upload",
    "evidence_version_add",
    "team_member_decline",
    "watermark_text",
]
