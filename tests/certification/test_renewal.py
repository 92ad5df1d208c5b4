"""Holders see their expiry, are reminded at 90 and 30 days, and renew by hours or exam."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from certification import services


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


def test_renewal_by_continuing_education(credential, user):
    with pytest.raises(services.CertificationError, match="2028-10-16"):
        services.credential_renew_by_education(credential=credential, actor=user,
                                               today=dt.date(2028, 6, 1))
    services.credential_education_add(credential=credential, holder=user, title="质量管理研修",
                                      provider="CCSO", completed_on=dt.date(2026, 5, 1),
                                      hours=Decimal("24"))
    with pytest.raises(services.CertificationError, match=r"24\.0"):
        services.credential_renew_by_education(credential=credential, actor=user,
                                               today=dt.date(2028, 11, 1))
    services.credential_education_add(credential=credential, holder=user, title="现场管理",
                                      provider="CCSO", completed_on=dt.date(2026, 10, 1),
                                      hours=Decimal("16"))
    renewed = services.credential_renew_by_education(credential=credential, actor=user,
                                                     today=dt.date(2028, 11, 1))
    assert renewed.expires_on == dt.date(2032, 1, 14)


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
        "completed_on": today.isoformat(), "hours": "40"})
    assert response.status_code == 302
    old_expiry = credential.expires_on
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/credentials/{credential.pk}/renew/")
    credential.refresh_from_db()
    assert credential.expires_on == old_expiry.replace(year=old_expiry.year + 3)
    assert "续期成功" in client.get("/credentials/").content.decode()

    other = pass_credential(user.__class__.objects.create_user(email="x@example.com"))
    assert client.post(f"/credentials/{other.pk}/renew/").status_code == 404
