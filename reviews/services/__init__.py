"""Writes of the review, one topic per module, re-exported here."""

from ..errors import ReviewError
from .draws import DrawCheck, draw_run, draw_verify, team_member_decline

__all__ = ["DrawCheck", "ReviewError", "draw_run", "draw_verify", "team_member_decline"]
