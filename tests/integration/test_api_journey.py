"""The whole trainee-to-holder journey through the API alone, as the WeChat mini-program makes
it: sign up, verify the email, enrol, pay by bank transfer, attendance marked by a course admin,
the exam open, sat and passed, the certificate downloaded and verified. Only HTTP calls; the
database is read (the email outbox, the keys to answer right) but written only through them."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from exams.models import Attempt, Sitting
from tests.app_token import app_headers, as_json
from tests.certification.test_pdf import pdf_text_and_fonts
from tests.exams.conftest import (  # noqa: F401 (fixtures: a question bank and an exam)
    course,
    exam_factory,
    question_factory,
)
from tests.lms.conftest import cohort_factory, course_factory  # noqa: F401 (fixtures)

# On commit as in production: the emails, the pass event, the credential and its PDF.
pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2030, 3, 4, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "Journey-pass-2030"
APP = "/_allauth/app/v1"


def _json(response: Any) -> Any:
    return json.loads(response.content)


def test_from_sign_up_to_a_verified_certificate_through_the_api_alone(
        time_machine, cohort_factory, exam_factory, user_factory, totp_code):  # noqa: F811
    time_machine.move_to(MONDAY)
    cohort = cohort_factory(starts_in_days=7)  # Monday to Wednesday next week
    exam = exam_factory(course=cohort.course, per_module={1: 3, 2: 3}, open_window=False)
    Sitting.objects.create(exam=exam, starts_at=MONDAY + dt.timedelta(days=9, hours=6),
                           ends_at=MONDAY + dt.timedelta(days=12))
    course_admin = user_factory(roles=["course_admin"])
    app = Client(enforce_csrf_checks=True)

    # Sign up, then verify the email with the key the message carries.
    signed_up = app.post(f"{APP}/auth/signup", **as_json({
        "email": "li.lei@example.com", "password": PASSWORD, "name_zh": "李雷",
        "name_en": "LI Lei"}))
    assert signed_up.status_code == 401, signed_up.content  # verification pending
    token = _json(signed_up)["meta"]["session_token"]
    assert [f["id"] for f in _json(signed_up)["data"]["flows"] if f.get("is_pending")] == [
        "verify_email"]
    assert app.get("/api/v1/me", HTTP_X_SESSION_TOKEN=token).status_code == 401
    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    verified = app.post(f"{APP}/auth/email/verify", HTTP_X_SESSION_TOKEN=token,
                        **as_json({"key": key}))
    assert verified.status_code == 200, verified.content
    token = _json(verified)["meta"].get("session_token", token)
    me = {"HTTP_X_SESSION_TOKEN": token}
    assert _json(app.get("/api/v1/me", **me))["name_en"] == "LI Lei"

    # Enrol and pay by company bank transfer.
    listed = [c["code"] for c in _json(app.get("/api/v1/lms/cohorts"))]
    assert cohort.code in listed
    enrolled = app.post(f"/api/v1/lms/cohorts/{cohort.code}/enrol", **me, **as_json({}))
    assert enrolled.status_code == 201, enrolled.content
    reference = _json(enrolled)["reference"]
    checkout = app.post(f"/api/v1/lms/enrolments/{reference}/checkout", **me, **as_json({
        "provider": "bank_transfer", "fapiao": {
            "company_name": "示例呼叫中心有限公司", "taxpayer_id": "91350100M000100Y43",
            "address": "北京市海淀区示例路1号", "bank": "工商银行 123"}}))
    assert checkout.status_code == 200, checkout.content
    assert _json(checkout)["instructions"]["reference"] == reference

    # The money arrives; a course admin finds the transfer by its reference and confirms it
    # with the amount and date the bank statement shows.
    staff = app_headers(app, course_admin, totp_code=totp_code)
    awaited = _json(app.get("/api/v1/lms/staff/payments", **staff))
    transfer = next(t for t in awaited if t["reference"] == reference)
    assert transfer["company"] == "示例呼叫中心有限公司"
    confirmed = app.post(f"/api/v1/lms/staff/payments/{transfer['payment_id']}/confirm", **staff,
                         **as_json({"amount_received": transfer["amount_due"],
                                    "received_on": timezone.localdate().isoformat()}))
    assert confirmed.status_code == 200, confirmed.content
    assert _json(confirmed)["enrolment_state"] == "confirmed"
    mine = _json(app.get("/api/v1/lms/enrolments", **me))
    assert [(e["reference"], e["state"]) for e in mine] == [(reference, "confirmed")]
    calendar = app.get(f"/api/v1/lms/enrolments/{reference}/calendar.ics", **me)
    assert calendar.content.decode().count("BEGIN:VEVENT") == 3

    # The three days; the course admin marks attendance each evening from the app.
    exams = _json(app.get("/api/v1/exams/", **me))
    assert [(e["exam_id"], e["eligible"]) for e in exams] == [(exam.pk, False)]
    for day in (1, 2, 3):
        time_machine.move_to(MONDAY + dt.timedelta(days=6 + day, hours=8))
        staff = app_headers(app, course_admin, totp_code=totp_code)
        marked = app.post(f"/api/v1/lms/staff/enrolments/{reference}/attendance", **staff,
                          **as_json({"day": day, "present": True}))
        assert marked.status_code == 200, marked.content
    assert _json(marked)["state"] == "completed"

    # The sitting opens: the exam is open to them; they sit it and pass.
    time_machine.move_to(MONDAY + dt.timedelta(days=10))
    exams = _json(app.get("/api/v1/exams/", **me))
    assert [(e["exam_id"], e["eligible"], e["reason"]) for e in exams] == [(exam.pk, True, "")]
    started = app.post(f"/api/v1/exams/{exam.pk}/attempts", **me)
    assert started.status_code == 201, started.content
    paper = _json(started)
    keys = {item.position: item.version.correct_keys  # read only: which answers are right
            for item in Attempt.objects.get(pk=paper["attempt_id"]).items.select_related(
                "version")}
    for seq, question in enumerate(paper["questions"], start=1):
        saved = app.put(
            f"/api/v1/exams/attempts/{paper['attempt_id']}/answers/{question['position']}",
            **me, **as_json({"selected": keys[question["position"]], "seq": seq}))
        assert _json(saved)["applied"] is True
    result = _json(app.post(f"/api/v1/exams/attempts/{paper['attempt_id']}/submit", **me))
    assert (result["passed"], result["score_percent"]) == (True, "100.00")

    # The credential: its PDF through the token, and its public verification.
    credentials = _json(app.get("/api/v1/certification/mine", **me))
    assert [c["status"] for c in credentials] == ["active"]
    pdf = app.get(credentials[0]["pdf_api_url"], **me)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text, _fonts = pdf_text_and_fonts(b"".join(pdf.streaming_content))
    number = credentials[0]["number"]
    assert "李雷" in text and number in text
    verified_credential = _json(app.get(f"/api/v1/certification/verify/{number}"))
    assert (verified_credential["status"], verified_credential["holder_name_zh"],
            verified_credential["holder_name_en"]) == ("active", "李雷", "LI Lei")
    share = _json(app.get(f"/api/v1/certification/mine/{credentials[0]['id']}/share", **me))
    assert share["url"] == credentials[0]["verification_url"]
