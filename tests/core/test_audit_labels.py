"""Audit entries are read as what happened, in the reader's language: every audit code the
platform writes has a label (each app's audit.py), shown in the Django admin beside the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from core.selectors import audit_action_label
from core.services import audit_record

ROOT = Path(settings.BASE_DIR)
CODE = re.compile(r"""action=(f?)"([a-z_]+\.[a-z_]+\.[a-z_{}.]+)\"""")
# The codes built from a state: every value they take.
EXPANSIONS = {
    "lms.enrolment.{state}": ["pending_payment", "waitlisted", "cancelled", "refunded"],
    "exams.appeal.{state}": ["upheld", "rejected"],
    "certification.credential.{verb}": ["suspended", "reinstated", "revoked"],
    "certification.education.{record.status}": ["approved", "rejected"],
}


def audit_codes() -> set[str]:
    codes = set()
    for app in settings.PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for is_f, code in CODE.findall(path.read_text()):
                if is_f:
                    head, _brace, _rest = code.partition("{")
                    codes.update(head + value for value in EXPANSIONS[code])
                else:
                    codes.add(code)
    return codes


def test_every_audit_code_the_platform_writes_has_a_label_in_both_languages():
    codes = audit_codes()
    assert {"lms.enrolment.confirmed", "exams.question.voided", "accounts.role.granted"} <= codes
    for language in ("zh-hans", "en"):
        with translation.override(language):
            unnamed = sorted(code for code in codes if audit_action_label(code) == code)
            assert unnamed == [], language
    with translation.override("zh-hans"):
        assert audit_action_label("lms.enrolment.confirmed") == "已确认付款，名额已确认"
        assert audit_action_label("exams.appeal.upheld") == "成绩复核：维持申请"
    with translation.override("en"):
        assert audit_action_label("lms.enrolment.confirmed") == "Payment confirmed, seat confirmed"


@pytest.mark.django_db
def test_the_audit_log_in_the_admin_says_what_happened_in_chinese(client, user_factory):
    admin = user_factory(is_staff=True, is_superuser=True)
    audit_record(actor=admin, action="lms.attendance.marked", target=admin, reason="第 2 天")
    client.force_login(admin)
    html = client.get("/django-admin/core/auditentry/").content.decode()
    assert "已记录考勤" in html
    assert "lms.attendance.marked" in html  # the code stays beside it, for searches and exports
