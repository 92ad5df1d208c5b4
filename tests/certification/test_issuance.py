"""A pass becomes exactly one coordinator credential, through the signal and a Celery task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.utils import timezone

from accounts.selectors import user_has_role
from certification import services
from certification.models import Credential, CredentialRenewal
from certification.tasks import credential_issue_for_pass_task
from core.models import AuditEntry
from exams.signals import attempt_passed


def _send_pass(user, attempt_id=41, score="72.50", passed_at=None):
    attempt_passed.send(
        sender=None, attempt_id=attempt_id, user_id=user.pk, exam_id=3,
        score_percent=Decimal(score), passed_at=passed_at or timezone.now(),
    )


def test_a_pass_issues_a_coordinator_credential_with_pdf_email_and_role(
        user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send_pass(user, passed_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC))

    credential = Credential.objects.get(holder=user)
    assert credential.credential_type.slug == "coordinator"
    assert credential.number == "CCSO-C-2026-000001"
    assert credential.source_key == "exams.attempt:41"
    assert credential.exam_score == Decimal("72.50")
    assert credential.issued_on == dt.date(2026, 11, 20)
    assert credential.expires_on == dt.date(2029, 11, 19)
    assert credential.pdf.name.endswith(".pdf")
    assert credential.pdf.size > 10_000
    assert user_has_role(user, "coordinator")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert credential.number in mail.outbox[0].subject
    assert credential.verification_url() in mail.outbox[0].body
    assert AuditEntry.objects.for_object(credential).filter(
        action="certification.credential.issued").exists()


def test_the_same_pass_delivered_twice_issues_one_credential(
        user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send_pass(user)
        _send_pass(user)
    credential_issue_for_pass_task.delay(user_id=user.pk, source_key="exams.attempt:41",
                                         exam_score="72.50", passed_at=None)
    assert Credential.objects.filter(holder=user).count() == 1
    assert CredentialRenewal.objects.count() == 0
    assert len(mail.outbox) == 1


def test_the_task_is_queued_only_when_the_transaction_commits(
        user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _send_pass(user)
    assert Credential.objects.count() == 0
    assert len(callbacks) == 1


def test_a_later_pass_by_a_holder_renews_instead_of_issuing_a_second(user, pass_credential):
    first = pass_credential(user, score="65.00",
                            passed_at=dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC), attempt_id=1)
    assert first.expires_on == dt.date(2029, 1, 9)
    again = pass_credential(user, score="88.00",
                            passed_at=dt.datetime(2028, 12, 1, 9, tzinfo=dt.UTC), attempt_id=2)
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.expires_on == dt.date(2031, 11, 30)
    assert again.exam_score == Decimal("88.00")
    assert Credential.objects.filter(holder=user).count() == 1
    renewal = CredentialRenewal.objects.get()
    assert (renewal.method, renewal.source_key) == ("reexam", "exams.attempt:2")


def test_a_revoked_holder_who_passes_again_gets_a_new_credential(user, pass_credential,
                                                                 cert_admin):
    first = pass_credential(user, attempt_id=5)
    services.credential_revoke(credential=first, actor=cert_admin, reason="舞弊")
    second = pass_credential(user, attempt_id=6)
    assert second.pk != first.pk
    assert second.number.endswith("000002")
    assert user_has_role(user, "coordinator")
