"""Writes of the review, one topic per module, re-exported here."""

from ..errors import ReviewError
from .agreement import agreement_accept, agreement_text_digest
from .decision import project_decide
from .draws import DrawCheck, draw_run, draw_verify, team_member_decline
from .judgement import final_judgement_record, judgement_record, project_consolidate

__all__ = [
    "DrawCheck", "ReviewError", "agreement_accept", "agreement_text_digest", "draw_run",
    "draw_verify", "final_judgement_record", "judgement_record", "project_consolidate",
    "project_decide", "team_member_decline",
]
