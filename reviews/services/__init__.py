"""Writes of the review, one topic per module, re-exported here."""

from ..errors import ReviewError
from .certificates import (
    CERTIFICATE_ACTIONS,
    project_certificate_issue,
    project_certificate_status_set,
)
from .draws import DrawCheck, draw_run, draw_verify, team_member_decline

__all__ = [
    "CERTIFICATE_ACTIONS",
    "DrawCheck",
    "ReviewError",
    "draw_run",
    "draw_verify",
    "project_certificate_issue",
    "project_certificate_status_set",
    "team_member_decline",
]
