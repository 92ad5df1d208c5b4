"""Holders see their expiry, are reminded at 90 and 30 days, and renew by hours or exam."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from certification import services
from core.models import AuditEntry


@pytest.fixture
def credential(user, pass_credential):
    credential = pass_credential(user, passed_at=dt.datetime(2026, 1, 15, 9, tzinfo=dt.UTC))
    mail.outbox.clear()
    return credential  # expires 2029-01-14


def test_reminders_go_out_90_and_30_days_before_expiry_once_each(
        credential, django_capture_on_commit_callbacks):
    def run(day: dt.date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.credential_reminders_send(today=day)

    assert run(dt.date(2028, 10, 15)) == 0  # 91 days before
    assert run(dt.date(2028, 10, 16)) == 1  # 90 days before
    assert run(dt.date(2028, 10, 17)) == 0  # already reminded
    assert run(dt.date(2028, 12, 14)) == 0  # 31 days before: the 90-day one was sent
    assert run(dt.date(2028, 12, 15)) == 1  # 30 days before
    assert run(dt.date(2028, 12, 16)) == 0
    assert len(mail.outbox) == 2
    assert "90" in mail.outbox[0].subject
    assert "30" in mail.outbox[1].subject
    assert mail.outbox[0].to == [credential.holder.email]
    assert "2029-01-14" in mail.outbox[0].body


def _evidence(name: str = "attendance.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n% certificate of attendance\n",
                              content_type="application/pdf")


def _record_hours(credential, holder, hours: str, completed_on: dt.date):
    return services.credential_education_add(
        credential=credential, holder=holder, title="质量管理研修", provider="CCSO",
        completed_on=completed_on, hours=Decimal(hours), evidence=_evidence())


def test_renewal_by_continuing_education_counts_approved_hours_only(credential, user,
                                                                    cert_admin):
    with pytest.raises(services.CertificationError, match="2028-10-16"):
        services.credential_renew_by_education(credential=credential, actor=user,
                                               today=dt.date(2028, 6, 1))
    first = _record_hours(credential, user, "24", dt.date(2026, 5, 1))
    second = _record_hours(credential, user, "16", dt.date(2026, 10, 1))
    # 40 hours recorded, none reviewed yet: nothing counts.
    with pytest.raises(services.CertificationError, match=r"0\.0"):
        services.credential_renew_by_education(credential=credential, actor=user,
                                               today=dt.date(2028, 11, 1))
    services.credential_education_review(record_id=first.pk, actor=cert_admin, approve=True)
    services.credential_education_review(record_id=second.pk, actor=cert_admin, approve=False,
                                         note="证明材料不清晰")
    with pytest.raises(services.CertificationError, match=r"24\.0"):
        services.credential_renew_by_education(credential=credential, actor=user,
                                               today=dt.date(2028, 11, 1))
    third = _record_hours(credential, user, "16", dt.date(2026, 10, 1))
    services.credential_education_review(record_id=third.pk, actor=cert_admin, approve=True)
    renewed = services.credential_renew_by_education(credential=credential, actor=user,
                                                     today=dt.date(2028, 11, 1))
    assert renewed.expires_on == dt.date(2032, 1, 14)


def test_a_rejection_needs_a_reason_a_record_is_reviewed_once_and_the_holder_is_told(
        credential, user, cert_admin, django_capture_on_commit_callbacks):
    record = _record_hours(credential, user, "8", dt.date(2026, 5, 1))
    with pytest.raises(services.CertificationError, match="原因"):
        services.credential_education_review(record_id=record.pk, actor=cert_admin,
                                             approve=False, note=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.credential_education_review(record_id=record.pk, actor=cert_admin,
                                             approve=False, note="培训机构无法核实")
    with pytest.raises(services.CertificationError, match="已经审核"):
        services.credential_education_review(record_id=record.pk, actor=cert_admin,
                                             approve=True)
    record.refresh_from_db()
    assert (record.status, record.reviewed_by) == ("rejected", cert_admin)
    entry = AuditEntry.objects.get(action="certification.education.rejected")
    assert (entry.actor, entry.reason) == (cert_admin, "培训机构无法核实")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "培训机构无法核实" in mail.outbox[0].body


def test_a_type_renewed_only_by_exam_refuses_hours(credential, user):
    ctype = credential.credential_type
    ctype.renewal_method = "reexam"
    ctype.save()
    with pytest.raises(services.CertificationError):
        services.credential_renew_by_education(credential=credential, actor=user,
                                               today=dt.date(2028, 12, 1))


def test_holders_see_their_expiry_on_the_dashboard(client, credential, user):
    client.force_login(user)
    html = client.get("/credentials/").content.decode()
    assert credential.number in html
    assert "2029-01-14" in html
    assert credential.verification_url() in html
    assert client.get(f"/credentials/{credential.pk}/certificate.pdf").status_code == 200
    dashboard = client.get("/me/").content.decode()
    assert "我的证书" in dashboard and credential.number in dashboard


def test_a_holder_records_hours_and_renews_from_their_page(client, user, pass_credential,
                                                           cert_admin,
                                                           django_capture_on_commit_callbacks):
    from django.utils import timezone

    today = timezone.localdate()
    # Issued almost three years ago: the renewal window (90 days before expiry) is open.
    credential = pass_credential(user, passed_at=timezone.now() - dt.timedelta(days=3 * 365 - 30))
    client.force_login(user)
    html = client.get("/credentials/").content.decode()
    assert "以继续教育学时续期" in html
    response = client.post(f"/credentials/{credential.pk}/education/", {
        "title": "呼叫中心质量管理高级研修", "provider": "CCSO",
        "completed_on": today.isoformat(), "hours": "40", "evidence": _evidence()})
    assert response.status_code == 302
    assert "另有 40.0 学时待审核" in client.get("/credentials/").content.decode()
    record = credential.education_records.get()
    services.credential_education_review(record_id=record.pk, actor=cert_admin, approve=True)
    old_expiry = credential.expires_on
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/credentials/{credential.pk}/renew/")
    credential.refresh_from_db()
    assert credential.expires_on == old_expiry.replace(year=old_expiry.year + 3)
    assert "续期成功" in client.get("/credentials/").content.decode()

    other = pass_credential(user.__class__.objects.create_user(email="x@example.com"))
    assert client.post(f"/credentials/{other.pk}/renew/").status_code == 404
