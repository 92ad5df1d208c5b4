"""The holder downloads their Open Badge (JSON) and badge image (PNG); anyone uploads either to
the verification page and sees it valid; after a certification admin revokes the credential in
the browser, the same uploaded JSON shows revoked."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from certification import services
from tests.browser.sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _upload_and_read(page, path: Path) -> dict[str, str]:
    page.goto("/credentials/verify/")
    page.get_by_test_id("verify-badge-link").click()
    page.get_by_label("数字徽章文件（JSON 或 PNG）").set_input_files(str(path))
    page.get_by_role("button", name="验证").click()
    result = page.get_by_test_id("badge-result")
    return {"valid": result.get_attribute("data-valid") or "",
            "signature": page.get_by_test_id("badge-signature").get_attribute("data-valid") or "",
            "status": page.get_by_test_id("badge-status").get_attribute("data-status") or "",
            "text": result.inner_text()}


def test_download_the_badge_verify_it_then_see_it_revoked(
        page, live_server, settings, tmp_path, user_factory, totp_code):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path / "media"
    holder = user_factory(name_zh="张三", name_en="ZHANG San", email="zhang@example.com")
    admin = user_factory(roles=["certification_admin"], is_staff=True,
                         email="certs@example.com", name_zh="钱认证")
    credential = services.credential_issue_for_pass(
        user_id=holder.pk, source_key="exams.attempt:9101", exam_score=Decimal("81.50"),
        passed_at=timezone.now())

    sign_in(page, holder.email, "pass-Word-123")
    page.goto("/credentials/")
    card = page.get_by_test_id(f"credential-{credential.number}")
    assert "linkedin.com/profile/add" in card.get_by_test_id("linkedin-add").get_attribute("href")
    with page.expect_download() as json_download:
        card.get_by_test_id("openbadge-json").click()
    json_path = tmp_path / "badge.json"
    json_download.value.save_as(json_path)
    with page.expect_download() as png_download:
        card.get_by_test_id("openbadge-png").click()
    png_path = tmp_path / "badge.png"
    png_download.value.save_as(png_path)
    assert png_path.read_bytes().startswith(b"\x89PNG")
    page.context.clear_cookies()

    # A visitor (an employer) checks both files.
    for path in (json_path, png_path):
        seen = _upload_and_read(page, path)
        assert (seen["valid"], seen["signature"], seen["status"]) == ("true", "true", "active")
        assert "CCSO 呼叫中心标准认证中心" in seen["text"] and credential.number in seen["text"]

    # A certification admin revokes the credential.
    sign_in(page, admin.email, "pass-Word-123", code=totp_code(admin),
            lands_on=r".*/me/workspace/$")
    page.goto(f"/credentials/staff/{credential.pk}/")
    page.get_by_label("操作").select_option("revoke")
    page.get_by_role("textbox", name="原因").fill("证书持有人考试舞弊")
    page.get_by_role("button", name="执行").click()
    page.get_by_test_id("revoke-confirm").click()
    page.wait_for_load_state()
    page.context.clear_cookies()

    seen = _upload_and_read(page, json_path)
    assert (seen["valid"], seen["signature"], seen["status"]) == ("false", "true", "revoked")
    assert "已撤销" in seen["text"]
