"""Reconciliation with exams: passes that reached no credential (a lost event) are found and
issued."""

from __future__ import annotations

import datetime as dt
import logging

from exams.selectors import passed_attempts_since

from ..models import Credential, CredentialRenewal
from .issuance import credential_issue_for_pass

logger = logging.getLogger(__name__)


def passes_accounted_keys() -> set[str]:
    keys = set(Credential.objects.filter(source_key__startswith="exams.attempt:").values_list(
        "source_key", flat=True))
    for key in CredentialRenewal.objects.filter(
            source_key__startswith="exams.attempt:").values_list("source_key", flat=True):
        if key:
            keys.add(key)
    return keys


def credentials_reconcile(*, since: dt.datetime, issue: bool = True) -> dict[str, list[str]]:
    """Find passes (from `exams.selectors.passed_attempts_since`) that have no credential or
    renewal; issue them (or only report when `issue` is False). Returns {"missing", "issued"}."""
    accounted = passes_accounted_keys()
    missing: list[str] = []
    issued: list[str] = []
    for attempt_id, user_id, score_percent, passed_at in passed_attempts_since(since):
        key = f"exams.attempt:{attempt_id}"
        if key in accounted:
            continue
        missing.append(key)
        if issue:
            credential = credential_issue_for_pass(user_id=user_id, source_key=key,
                                                   exam_score=score_percent, passed_at=passed_at)
            issued.append(credential.number)
    if missing:
        logger.warning("certification: %d pass(es) had no credential: %s", len(missing), missing)
    return {"missing": missing, "issued": issued}
