"""The payment notice (付款通知书): a PDF for the company's finance department with everything a
transfer needs, in Chinese, for the enrolment's owner only (on the page and through the API)."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

import pytest

from lms import services

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
FAPIAO = {
    "company_name": "示例客服中心有限公司", "taxpayer_id": "91350100M000100Y43",
    "address": "北京市海淀区示例路1号 010-12345678",
    "bank": "中国工商银行北京示例支行 0200000000000000000", "email": "finance@example.com",
}


def pdf_text(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "notice.pdf"
        path.write_bytes(content)
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout


@pytest.fixture
def awaiting_transfer(time_machine, cohort_factory, user_factory):  # type: ignore[no-untyped-def]
    time_machine.move_to(NOW, tick=False)
    trainee = user_factory(name_zh="欧阳晓明")
    cohort = cohort_factory(title="2026年12月 北京班")
    enrolment = services.enrolment_create(user=trainee, cohort_id=cohort.pk)
    services.checkout_start(enrolment_id=enrolment.pk, user=trainee, provider="bank_transfer",
                            fapiao=FAPIAO)
    return trainee, enrolment


def test_the_owner_downloads_a_notice_with_all_a_transfer_needs(client, awaiting_transfer):
    trainee, enrolment = awaiting_transfer
    client.force_login(trainee)
    page = client.get(f"/training/enrolments/{enrolment.reference}/").content.decode()
    url = f"/training/enrolments/{enrolment.reference}/payment-notice.pdf"
    assert f'href="{url}"' in page

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"payment-notice-{enrolment.reference}.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for expected in ("付款通知书", enrolment.reference, "¥6800.00", "示例客服中心有限公司",
                     "91350100M000100Y43", "CCSO 培训中心（示例账户）", "0200 0000 0000 0000 000",
                     "2026年12月 北京班", "欧阳晓明", "2026-11-25"):  # held 5 days for the transfer
        assert expected in text, expected


def test_nobody_else_gets_the_notice(client, awaiting_transfer, user_factory):
    _, enrolment = awaiting_transfer
    for other in (user_factory(), user_factory(roles=["course_admin"])):
        client.force_login(other)
        assert client.get(
            f"/training/enrolments/{enrolment.reference}/payment-notice.pdf").status_code == 404
        assert client.get(
            f"/api/v1/lms/enrolments/{enrolment.reference}/payment-notice.pdf").status_code == 404


def test_the_api_gives_the_same_notice(client, awaiting_transfer):
    trainee, enrolment = awaiting_transfer
    client.force_login(trainee)
    response = client.get(f"/api/v1/lms/enrolments/{enrolment.reference}/payment-notice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert enrolment.reference in text and "¥6800.00" in text


def test_no_notice_without_a_transfer_awaited(client, cohort_factory, user_factory):
    trainee = user_factory()
    enrolment = services.enrolment_create(user=trainee, cohort_id=cohort_factory().pk)
    client.force_login(trainee)
    assert client.get(
        f"/training/enrolments/{enrolment.reference}/payment-notice.pdf").status_code == 404
