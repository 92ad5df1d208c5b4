"""From a real exam attempt to a coordinator credential: the pass event, and the reconciliation
that catches a pass whose event was lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from certification.models import Credential, CredentialRenewal, CredentialStatus
from certification.receivers import on_attempt_passed
from certification.services import (
    credential_issue_for_pass,
    credential_pass_withdrawn,
    credentials_reconcile,
)
from certification.tasks import credentials_reconcile_task
from core.models import AuditEntry
from exams.services import attempt_start, attempt_submit, question_void
from exams.signals import attempt_passed
from tests.celery_worker import wait_for

from .helpers import answer_all


@pytest.fixture
def sit(exam_factory, django_capture_on_commit_callbacks):
    """Sit a 10-question exam, answering `right` questions correctly, and run what the
    submission queues on commit (the pass event, the issuing task, the PDF)."""
    exam = exam_factory(per_module={1: 5, 2: 5})

    def run(candidate, *, right: int):
        with django_capture_on_commit_callbacks(execute=True):
            attempt, _ = attempt_start(exam=exam, user=candidate)
            answer_all(attempt, right=right)
            return attempt_submit(attempt_id=attempt.pk, user=candidate)

    return run


@pytest.fixture
def lost_pass_events() -> Iterator[None]:
    """Certification misses the pass event (a worker was down when it fired)."""
    attempt_passed.disconnect(dispatch_uid="certification.attempt_passed")
    yield
    attempt_passed.connect(on_attempt_passed, dispatch_uid="certification.attempt_passed")


def test_a_pass_gives_the_candidate_a_coordinator_credential_with_the_exam_score(sit, candidate):
    attempt = sit(candidate, right=6)

    credential = Credential.objects.get(holder=candidate)
    assert attempt.passed
    assert credential.exam_score == Decimal("60.00")
    assert credential.source_key == f"exams.attempt:{attempt.pk}"
    assert credential.pdf.name.endswith(".pdf")


def test_a_fail_gives_no_credential(sit, candidate):
    attempt = sit(candidate, right=5)

    assert attempt.passed is False
    assert not Credential.objects.filter(holder=candidate).exists()


def test_reconciliation_issues_a_pass_whose_event_was_lost_once(sit, candidate, lost_pass_events):
    attempt = sit(candidate, right=9)
    assert not Credential.objects.filter(holder=candidate).exists()

    report = credentials_reconcile_task.delay(days=7).get()

    credential = Credential.objects.get(holder=candidate)
    assert report == {"missing": [f"exams.attempt:{attempt.pk}"], "issued": [credential.number]}
    assert credential.exam_score == Decimal("90.00")
    assert credentials_reconcile_task.delay(days=7).get() == {"missing": [], "issued": []}


def test_reconciliation_can_report_without_issuing(sit, candidate, lost_pass_events):
    attempt = sit(candidate, right=10)

    report = credentials_reconcile(since=timezone.now() - timedelta(hours=1), issue=False)

    assert report == {"missing": [f"exams.attempt:{attempt.pk}"], "issued": []}
    assert not Credential.objects.exists()


@pytest.mark.celery_worker
def test_through_a_live_worker_a_pass_becomes_a_credential_with_its_pdf_and_email(
        celery_worker_process, exam_factory, candidate):
    exam = exam_factory(per_module={1: 5, 2: 5})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=8)
    attempt_submit(attempt_id=attempt.pk, user=candidate)

    # The worker issues the credential, then runs the PDF and email tasks that issuing queues.
    credential = wait_for(
        lambda: Credential.objects.filter(holder=candidate).exclude(pdf="").first(), timeout=60)
    assert credential, celery_worker_process["log"].read_text()
    assert credential.exam_score == Decimal("80.00")
    assert Path(credential.pdf.path).read_bytes().startswith(b"%PDF")
    log = celery_worker_process["log"].read_text()
    assert "Task certification.tasks.credential_pdf_generate_task[" in log
    mails = wait_for(lambda: list(celery_worker_process["mail_dir"].iterdir()))
    assert any(credential.number in m.read_text() for m in mails)


@pytest.fixture
def void_a_question(user_factory, django_capture_on_commit_callbacks):
    """An exam admin voids a question the candidate answered right (or wrong), and what the
    regrade queues on commit runs."""
    exam_admin = user_factory(roles=["exam_admin"])

    def void(attempt, *, answered_right: bool) -> None:
        item = attempt.items.filter(is_correct=answered_right).select_related("question").first()
        with django_capture_on_commit_callbacks(execute=True):
            question_void(question=item.question, actor=exam_admin, reason="题干有歧义")

    return void


def test_a_regrade_that_turns_the_pass_into_a_fail_suspends_the_credential_for_review(
        sit, candidate, void_a_question):
    attempt = sit(candidate, right=6)
    mail.outbox.clear()

    void_a_question(attempt, answered_right=True)

    attempt.refresh_from_db()
    credential = Credential.objects.get(holder=candidate)
    assert (attempt.passed, attempt.score_percent) == (False, Decimal("55.56"))
    assert credential.status == CredentialStatus.SUSPENDED
    assert "55.56%" in credential.status_reason and "题干有歧义" in credential.status_reason
    assert not credential.status_reason_public
    assert AuditEntry.objects.filter(action="certification.credential.suspended",
                                     target_id=str(credential.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [[candidate.email]]


def test_a_withdrawn_pass_that_only_renewed_a_credential_is_flagged_for_review(
        sit, candidate, void_a_question):
    # A coordinator from an earlier exam re-examines to renew.
    credential_issue_for_pass(user_id=candidate.pk, source_key="exams.attempt:earlier",
                              exam_score="90.00", passed_at=timezone.now() - timedelta(days=900))
    renewing = sit(candidate, right=6)
    assert CredentialRenewal.objects.filter(source_key=f"exams.attempt:{renewing.pk}").exists()

    void_a_question(renewing, answered_right=True)

    credential = Credential.objects.get(holder=candidate)
    assert credential.status == CredentialStatus.ACTIVE
    flagged = AuditEntry.objects.get(action="certification.renewal.pass_withdrawn")
    assert flagged.data["source"] == f"exams.attempt:{renewing.pk}"
    assert credential_pass_withdrawn(source_key=f"exams.attempt:{renewing.pk}", exam_score="55.56",
                                     reason="again") == "renewal-flagged"
    assert AuditEntry.objects.filter(action="certification.renewal.pass_withdrawn").count() == 1


def test_a_further_regrade_that_restores_the_pass_reinstates_the_credential(
        sit, candidate, void_a_question):
    attempt = sit(candidate, right=6)
    void_a_question(attempt, answered_right=True)
    assert Credential.objects.get(holder=candidate).status == CredentialStatus.SUSPENDED

    void_a_question(attempt, answered_right=False)

    attempt.refresh_from_db()
    credential = Credential.objects.get(holder=candidate)
    assert (attempt.passed, attempt.score_percent) == (True, Decimal("62.50"))
    assert credential.status == CredentialStatus.ACTIVE
    assert "62.50%" in credential.status_reason
    assert AuditEntry.objects.filter(action="certification.credential.reinstated").count() == 1


def test_an_admins_decision_in_between_is_not_undone_by_a_regrade(
        sit, candidate, user_factory, void_a_question):
    from certification.services import credential_revoke

    attempt = sit(candidate, right=6)
    void_a_question(attempt, answered_right=True)
    credential_revoke(credential=Credential.objects.get(holder=candidate),
                      actor=user_factory(roles=["certification_admin"]), reason="复核后决定撤销")

    void_a_question(attempt, answered_right=False)

    assert Credential.objects.get(holder=candidate).status == CredentialStatus.REVOKED
