"""Continuing-education evidence: only real PDF/PNG/JPEG files within the size limit are
accepted, only the holder and reviewers can open them, and only reviewers decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification import services
from certification.models import ContinuingEducation

# Evidence is stored and served the same way on the local media folder and the object store.
pytestmark = pytest.mark.usefixtures("media_storage")

PDF = b"%PDF-1.7\n% attendance\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def credential(user, pass_credential):
    return pass_credential(user)


def _post(client, credential, evidence):
    return client.post(f"/credentials/{credential.pk}/education/", {
        "title": "客户体验管理研修", "provider": "CCSO",
        "completed_on": timezone.localdate().isoformat(), "hours": "6", "evidence": evidence,
    }, follow=True)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("scan.png", PNG, "学时已登记，等待审核"),
    ("scan.exe", b"MZ\x90\x00", "文件扩展“exe”是不被允许"),
    ("fake.pdf", b"<html>not a pdf</html>", "文件内容不是 PDF 格式"),
    ("photo.jpg", PNG, "文件内容不是 JPG 格式"),
    ("huge.pdf", PDF + b"0" * (5 * 1024 * 1024), "限制为 5.0"),
])
def test_only_real_documents_within_the_limit_are_accepted(client, user, credential, name,
                                                          content, message):
    client.force_login(user)
    response = _post(client, credential, SimpleUploadedFile(name, content))
    body = response.content.decode()
    assert message in body
    accepted = message.startswith("学时已登记")
    assert ContinuingEducation.objects.count() == (1 if accepted else 0)
    if not accepted:  # what was typed is still there to correct
        assert response.status_code == 400
        assert 'value="客户体验管理研修"' in body


def test_evidence_opens_for_the_holder_and_reviewers_only(client, user, credential,
                                                         user_factory, cert_admin):
    record = services.credential_education_add(
        credential=credential, holder=user, title="研修", provider="", hours=Decimal("4"),
        completed_on=timezone.localdate() - dt.timedelta(days=3),
        evidence=SimpleUploadedFile("attendance.pdf", PDF))
    url = f"/credentials/education/{record.pk}/evidence"
    assert "/accounts/login/" in client.get(url).url
    client.force_login(user_factory(roles=["coordinator"]))
    assert client.get(url).status_code == 404
    for person in (user, cert_admin):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"].startswith("attachment")
    assert record.evidence.name.startswith("education/") and "attendance" not in record.evidence.name


def test_reviewers_approve_from_their_page_and_others_cannot(client, user, credential,
                                                             user_factory, cert_admin):
    record = services.credential_education_add(
        credential=credential, holder=user, title="质量改进工作坊", provider="CCSO",
        hours=Decimal("8"), completed_on=timezone.localdate(),
        evidence=SimpleUploadedFile("a.pdf", PDF))
    review_url = f"/credentials/staff/education/{record.pk}/review/"
    client.force_login(user)
    assert client.get("/credentials/staff/education/").status_code == 403
    assert client.post(review_url, {"decision": "approve"}).status_code == 403

    client.force_login(cert_admin)
    assert "1 条继续教育记录待审核" in client.get("/me/").content.decode()
    assert "质量改进工作坊" in client.get("/credentials/staff/education/").content.decode()
    client.post(review_url, {"decision": "approve"})
    record.refresh_from_db()
    assert record.status == "approved"
    assert services.credential_education_hours(credential) == Decimal("8.0")
    assert "没有待审核的记录" in client.get("/credentials/staff/education/").content.decode()
