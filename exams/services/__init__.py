"""Every write of the exams app, one topic per module:

- `bank`: saving a question (a new version when its content changes), its item, voiding one;
- `blueprint`: whether the bank can fill a blueprint, drawing a paper by it;
- `clock`: the grace period, an attempt's deadline, a person's extra time;
- `attempts`: starting an attempt (or resuming the open one);
- `answers`: the ordered answer save and its PostgreSQL fast path (docs/performance.md);
- `submit`: closing an attempt (by the candidate or by the clock) and scoring it;
- `accommodations`: extra time granted to a person;
- `appeals`: score reviews asked for and resolved;
- `regrade`: rescoring an attempt after a question was voided;
- `events`: the attempt log the others write.

Callers import from `exams.services`; `eligibility` is a read and lives in `exams.eligibility`
(re-exported here for the callers that look for it here)."""

from __future__ import annotations

from ..eligibility import Eligibility, eligibility
from .accommodations import accommodation_grant
from .answers import SaveResult, attempt_answer_save
from .appeals import appeal_request, appeal_resolve
from .attempts import attempt_start
from .bank import question_item_check, question_save, question_void
from .blueprint import blueprint_check
from .clock import accommodation_minutes, attempt_deadline, grace_period
from .regrade import attempt_regrade
from .submit import attempt_close_if_expired, attempt_submit, attempts_submit_expired

__all__ = [
    "Eligibility",
    "SaveResult",
    "accommodation_grant",
    "accommodation_minutes",
    "appeal_request",
    "appeal_resolve",
    "attempt_answer_save",
    "attempt_close_if_expired",
    "attempt_deadline",
    "attempt_regrade",
    "attempt_start",
    "attempt_submit",
    "attempts_submit_expired",
    "blueprint_check",
    "eligibility",
    "grace_period",
    "question_item_check",
    "question_save",
    "question_void",
]
