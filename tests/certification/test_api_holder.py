"""Through the API with the app token, a holder downloads their certificate, shares it, opts in
or out of the registry, records continuing-education hours with evidence and applies to be a
reviewer: the page's services and checks, and nobody else's credential."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from certification import services
from certification.models import ContinuingEducation, ReviewerApplication
from certification.tasks import credential_pdf_generate_task
from core.models import AuditEntry
from tests.app_token import app_headers, as_json
from tests.certification.test_pdf import pdf_text_and_fonts

from .conftest import position, review

PDF = b"%PDF-1.7\n% attendance\n"


@pytest.fixture
def app() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def holder(user_factory):
    return user_factory(roles=["trainee"], name_zh="王芳", name_en="WANG Fang")


@pytest.fixture
def credential(holder, pass_credential):
    return pass_credential(holder)


def _mine(credential):
    return f"/api/v1/certification/mine/{credential.pk}"


def test_the_holder_downloads_the_certificate_pdf_with_the_app_token(app, holder, credential):
    headers = app_headers(app, holder)
    listed = app.get("/api/v1/certification/mine", **headers).json()
    assert listed[0]["pdf_api_url"] == f"{_mine(credential)}/certificate.pdf"

    # The web address answers a token with the sign-in page, not the file.
    web = app.get(listed[0]["pdf_url"], **headers)
    assert web.status_code == 302 and web["Location"].startswith("/accounts/login/")

    response = app.get(listed[0]["pdf_api_url"], **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{credential.number}.pdf"' in response["Content-Disposition"]
    text, _fonts = pdf_text_and_fonts(b"".join(response.streaming_content))
    assert "王芳" in text and credential.number in text


def test_the_pdf_opens_for_nobody_else(app, holder, credential, user_factory):
    url = f"{_mine(credential)}/certificate.pdf"
    assert app.get(url).status_code == 401
    other = app_headers(app, user_factory(roles=["trainee"]))
    assert app.get(url, **other).status_code == 404
    assert app.get(f"{_mine(credential)}/share", **other).status_code == 404


def test_a_pdf_not_yet_rendered_answers_202_until_the_worker_has_rendered_it(
        app, holder, broker_queue):
    credential = services.credential_issue_for_pass(
        user_id=holder.pk, source_key=f"exams.attempt:{uuid.uuid4().int % 10**9}",
        exam_score=Decimal("80.00"), passed_at=timezone.now())
    headers = app_headers(app, holder)
    url = f"{_mine(credential)}/certificate.pdf"

    waiting = app.get(url, **headers)
    assert waiting.status_code == 202
    assert waiting.json()["retry_after"] == 5 and credential.number in waiting.json()["detail"]
    queued = broker_queue()
    assert [task["task"] for task in queued] == [
        "certification.tasks.credential_pdf_generate_task"]

    credential_pdf_generate_task(**queued[0]["kwargs"])
    assert app.get(url, **headers)["Content-Type"] == "application/pdf"


def test_the_share_link_is_the_public_verification_page(app, holder, credential):
    body = app.get(f"{_mine(credential)}/share", **app_headers(app, holder)).json()
    assert body == {"number": credential.number, "url": credential.verification_url()}
    assert app.get(credential.verification_path()).status_code == 200


def test_the_holder_opts_in_and_out_of_the_registry(app, holder, credential, user_factory,
                                                    cert_admin, totp_code):
    headers = app_headers(app, holder)
    url = f"{_mine(credential)}/registry"
    response = app.put(url, **headers, **as_json({"listed": False}))
    assert response.status_code == 200 and response.json()["registry_listed"] is False
    credential.refresh_from_db()
    assert credential.registry_listed is False
    registry = app.get("/api/v1/certification/registry").json()
    assert credential.number not in [row["number"] for row in registry]

    assert app.put(url, **headers, **as_json({"listed": True})).json()["registry_listed"]
    credential.refresh_from_db()
    assert credential.registry_listed is True

    assert app.put(url, **as_json({"listed": False})).status_code == 401
    other = app_headers(app, user_factory(roles=["trainee"]))
    assert app.put(url, **other, **as_json({"listed": False})).status_code == 404
    # Staff may read a credential but only its holder lists it.
    staff = app_headers(app, cert_admin, totp_code=totp_code)
    assert app.put(url, **staff, **as_json({"listed": False})).status_code == 403
    credential.refresh_from_db()
    assert credential.registry_listed is True


def _hours(name="attendance.pdf", content=PDF, **fields):
    data = {"title": "客户体验管理研修", "provider": "CCSO", "hours": "6",
            "completed_on": timezone.localdate().isoformat(), **fields}
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {**data, "evidence": SimpleUploadedFile(name, content)}


def test_the_holder_records_hours_with_evidence_checked_as_on_the_page(app, holder, credential):
    headers = app_headers(app, holder)
    url = f"{_mine(credential)}/education"

    added = app.post(url, _hours(), **headers)
    assert added.status_code == 201, added.content
    assert added.json()["status"] == "pending" and Decimal(added.json()["hours"]) == 6
    record = ContinuingEducation.objects.get()
    assert record.evidence.read() == PDF
    assert AuditEntry.objects.filter(action="certification.education.submitted").count() == 1

    for upload, message in ((_hours("fake.pdf", b"<html>not a pdf</html>"), "不是 PDF"),
                            (_hours("scan.exe", b"MZ\x90\x00"), "exe"),
                            (_hours(hours="500"), "200"),
                            (_hours(completed_on=(timezone.localdate() + dt.timedelta(days=2))
                                    .isoformat()), "不能晚于今天")):
        refused = app.post(url, upload, **headers)
        assert refused.status_code == 400 and message in refused.json()["detail"], refused.json()
    assert ContinuingEducation.objects.count() == 1

    listed = app.get(url, **headers).json()
    assert [(r["title"], r["status"]) for r in listed] == [("客户体验管理研修", "pending")]
    evidence = app.get(listed[0]["evidence_url"], **headers)
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == PDF
    mine = app.get("/api/v1/certification/mine", **headers).json()[0]
    assert (mine["education_hours"], mine["education_hours_pending"]) == ("0.0", "6.0")


def test_hours_go_on_nobody_elses_credential(app, credential, user_factory):
    url = f"{_mine(credential)}/education"
    assert app.post(url, _hours()).status_code == 401
    other = app_headers(app, user_factory(roles=["trainee"]))
    assert app.post(url, _hours(), **other).status_code == 404
    assert app.get(url, **other).status_code == 404
    assert not ContinuingEducation.objects.exists()


def test_evidence_opens_for_the_holder_and_reviewers_only(app, holder, credential,
                                                         user_factory, cert_admin, totp_code):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = services.credential_education_add(
        credential=credential, holder=holder, title="研修", provider="", hours=Decimal("4"),
        completed_on=timezone.localdate() - dt.timedelta(days=3),
        evidence=SimpleUploadedFile("attendance.pdf", PDF))
    url = f"/api/v1/certification/education/{record.pk}/evidence"
    assert app.get(url).status_code == 401
    assert app.get(url, **app_headers(app, user_factory(roles=["trainee"]))).status_code == 404
    reviewer = app.get(url, **app_headers(app, cert_admin, totp_code=totp_code))
    assert reviewer.status_code == 200 and b"".join(reviewer.streaming_content) == PDF


def _application(**fields):
    today = timezone.localdate()
    rows = [position("某银行客服中心", start=today - dt.timedelta(days=2000),
                     end=today - dt.timedelta(days=400), level=2),
            position("某保险客服中心", start=today - dt.timedelta(days=399))]
    data = {"positions": [{k: (v.isoformat() if isinstance(v, dt.date) else v)
                           for k, v in row.items()} for row in rows],
            "reviews": [review()], "attested": True}
    return as_json({**data, **fields})


def test_a_coordinator_applies_to_be_a_reviewer_with_work_history(app, holder, credential):
    headers = app_headers(app, holder)
    response = app.post("/api/v1/certification/applications", **headers, **_application())
    assert response.status_code == 201, response.content
    application = ReviewerApplication.objects.get(applicant=holder)
    assert response.json()["status"] == "pending" and response.json()["id"] == application.pk
    assert application.positions.count() == 2 and application.reviews.count() == 1
    assert [a["id"] for a in app.get("/api/v1/certification/applications",
                                     **headers).json()] == [application.pk]

    again = app.post("/api/v1/certification/applications", **headers, **_application())
    assert again.status_code == 400 and ReviewerApplication.objects.count() == 1


def test_the_application_is_checked_as_the_page_checks_it(app, holder, credential):
    headers = app_headers(app, holder)
    today = timezone.localdate()
    backwards = position("某银行", start=today - dt.timedelta(days=10),
                         end=today - dt.timedelta(days=20))
    for body, message in (
        (_application(attested=False), "真实、完整"),
        (_application(positions=[]), "1"),
        (_application(positions=[{k: (v.isoformat() if isinstance(v, dt.date) else v)
                                  for k, v in backwards.items()}]), "结束日期"),
    ):
        refused = app.post("/api/v1/certification/applications", **headers, **body)
        assert refused.status_code == 400 and message in refused.json()["detail"], refused.json()
    assert not ReviewerApplication.objects.exists()


def test_only_a_coordinator_may_apply(app, user_factory):
    response = app.post("/api/v1/certification/applications", **_application())
    assert response.status_code == 401
    trainee = app_headers(app, user_factory(roles=["trainee"]))
    response = app.post("/api/v1/certification/applications", **trainee, **_application())
    assert response.status_code == 403 and not ReviewerApplication.objects.exists()
