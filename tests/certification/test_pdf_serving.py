"""Certificate PDFs are rendered by a task, never inside the request that asks for one, and
private files live in a private bucket that only the views checking who asks read from."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certification import services
from certification.models import Credential
from certification.tasks import credential_pdf_generate_task
from tests.certification.test_pdf import pdf_text_and_fonts

PDF = b"%PDF-1.7\n% attendance\n"


def _issue_without_pdf(user: Any) -> Credential:
    """A credential whose PDF task has not run yet (the pass committed, the worker is behind)."""
    credential = services.credential_issue_for_pass(
        user_id=user.pk, source_key=f"exams.attempt:{uuid.uuid4().int % 10**9}",
        exam_score=Decimal("80.00"), passed_at=timezone.now())
    assert not credential.pdf
    return credential


@pytest.mark.parametrize(("language", "heading"), [
    ("zh-hans", "您的证书正在生成"), ("en", "Your certificate is being prepared"),
])
def test_a_certificate_not_yet_rendered_is_queued_and_the_holder_told_to_come_back(
        client, user_factory, broker_queue, language, heading):
    holder = user_factory(name_zh="王芳", name_en="WANG Fang")
    credential = _issue_without_pdf(holder)
    client.force_login(holder)
    client.cookies["django_language"] = language
    url = f"/credentials/{credential.pk}/certificate.pdf"

    response = client.get(url)
    assert response.status_code == 202
    body = response.content.decode()
    assert heading in body and credential.number in body
    assert '<meta http-equiv="refresh" content="5">' in body
    credential.refresh_from_db()
    assert not credential.pdf  # nothing was rendered inside the request
    queued = broker_queue()
    assert queued == [{"task": "certification.tasks.credential_pdf_generate_task",
                       "kwargs": {"credential_id": credential.pk}}]

    credential_pdf_generate_task(**queued[0]["kwargs"])  # the worker runs it
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text, _fonts = pdf_text_and_fonts(b"".join(response.streaming_content))
    assert "王芳" in text and credential.number in text
    assert broker_queue() == []  # a PDF that is current is served, not queued again


def test_after_a_renewal_the_old_expiry_is_not_served(client, user_factory, pass_credential):
    holder = user_factory(name_zh="赵敏", name_en="ZHAO Min")
    passed = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    credential = pass_credential(holder, passed_at=passed)
    assert credential.expires_on == dt.date(2029, 3, 1)
    # A re-examination a year later renews to 2030; its re-render is queued on commit, and the
    # worker has not run it yet (the test runs no on-commit callbacks).
    services.credential_issue_for_pass(
        user_id=holder.pk, source_key="exams.attempt:renewal", exam_score="90.00",
        passed_at=passed.replace(year=2027))
    client.force_login(holder)

    # Celery is eager here, as on `make run`: the request queues the render and serves the result.
    response = client.get(f"/credentials/{credential.pk}/certificate.pdf")
    assert response.status_code == 200
    text, _fonts = pdf_text_and_fonts(b"".join(response.streaming_content))
    assert "2030年3月1日" in text and "2029年3月1日" not in text


def test_private_files_stay_in_the_private_bucket_and_only_the_views_serve_them(
        client, user_factory, pass_credential, object_store, s3_media, media_root):
    holder = user_factory(name_zh="李雷", name_en="LI Lei")
    credential = pass_credential(holder)
    record = services.credential_education_add(
        credential=credential, holder=holder, title="研修", provider="", hours=Decimal("4"),
        completed_on=timezone.localdate(), evidence=SimpleUploadedFile("attendance.pdf", PDF))

    keys = object_store.keys(s3_media)
    assert sorted(keys) == sorted([credential.pdf.name, record.evidence.name])
    assert not media_root.exists() or not any(media_root.rglob("*"))  # nothing on local disk
    for key in keys:  # the object store refuses anyone without credentials
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{object_store.endpoint_url}/{s3_media}/{key}")  # noqa: S310
        assert refused.value.code == 403

    client.force_login(user_factory())
    assert client.get(f"/credentials/{credential.pk}/certificate.pdf").status_code == 404
    assert client.get(f"/credentials/education/{record.pk}/evidence").status_code == 404
    client.force_login(holder)
    pdf = client.get(f"/credentials/{credential.pk}/certificate.pdf")
    assert "李雷" in pdf_text_and_fonts(b"".join(pdf.streaming_content))[0]
    evidence = client.get(f"/credentials/education/{record.pk}/evidence")
    assert b"".join(evidence.streaming_content) == PDF


def test_the_django_admin_links_to_the_checking_view_not_to_the_bucket(
        client, user_factory, pass_credential, object_store, s3_media):
    credential = pass_credential(user_factory())
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    body = client.get(f"/django-admin/certification/credential/{credential.pk}/change/"
                      ).content.decode()
    assert f'href="/credentials/{credential.pk}/certificate.pdf"' in body
    assert object_store.endpoint_url not in body and "X-Amz-Signature" not in body
