"""On site with a phone (390 px) and a weak network: a signed reviewer opens an item, reads a
piece of the applicant's evidence in the watermarked viewer, captures a note, a photo and an
interview signed on the screen while off-line, reloads the page (the queue is still there),
and when the network returns the records reach the platform and show beside the item."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from accounts.models import Organisation
from cms.selectors import version_items
from reviews import services
from reviews.models import (
    MemberRole,
    OnsiteRecord,
    OrganisationMember,
    ProjectState,
    ReviewProject,
)
from tests.browser.layout import fits
from tests.browser.sign_in import sign_in
from tests.reviews import samples
from tests.reviews.conftest import make_reviewer, standard_version_make, team_make

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-Word-123"

# The page and its files are in the browser's cache for the off-line reload.
KEPT = """async () => {
  for (let i = 0; i < 100; i++) {
    const cache = await caches.open("ccso-onsite-v1");
    if (await cache.match(location.pathname, { ignoreVary: true })
        && await navigator.serviceWorker.getRegistration()) return true;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  return false;
}"""


def _queue(page: Any) -> list[str]:
    return page.get_by_test_id("queued-record").evaluate_all(
        "items => items.map(item => item.dataset.state)")


def _sign(page: Any) -> None:
    box = page.get_by_test_id("signature-pad").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for x, y in ((0.3, 0.2), (0.5, 0.8), (0.7, 0.3), (0.9, 0.6)):
        page.mouse.move(box["x"] + box["width"] * x, box["y"] + box["height"] * y, steps=6)
    page.mouse.up()


def test_a_reviewer_captures_on_site_off_line_and_the_records_arrive(
        page, live_server, settings, home_page, user_factory, tmp_path):
    settings.SITE_URL = live_server.url
    organisation = Organisation.objects.create(name="示例呼叫中心")
    project = ReviewProject.objects.create(organisation=organisation,
                                           standard_version=standard_version_make(),
                                           state=ProjectState.TEAM_DRAWN)
    lead = make_reviewer(employer=Organisation.objects.create(name="别处公司"), name_zh="王组长",
                         password=PASSWORD)
    EmailAddress.objects.create(user=lead, email=lead.email, verified=True, primary=True)
    team_make(project, lead=lead)
    applicant = user_factory(organisation=organisation, name_zh="赵协调")
    OrganisationMember.objects.create(organisation=organisation, user=applicant,
                                      role=MemberRole.ADMIN)
    item = version_items(version=project.standard_version).first()
    content = samples.pdf_bytes(2)
    services.evidence_upload(project=project, item=item, kind="documents", title="排班制度",
                             upload=io.BytesIO(content), name="排班制度.pdf", size=len(content),
                             by=applicant)
    ReviewProject.objects.filter(pk=project.pk).update(state=ProjectState.DOCUMENT_REVIEW)
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(samples.image_bytes("JPEG", size=(1200, 900)))

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, lead.email, PASSWORD)
    page.goto(f"/reviews/projects/{project.pk}/items/{item.pk}/")
    evidence = page.get_by_test_id("item-evidence")
    assert "排班制度" in evidence.get_by_test_id("item-file").inner_text()
    assert "第 1 版，共 2 页" in evidence.get_by_test_id("item-file").inner_text()
    missing = evidence.get_by_test_id("item-missing").inner_text()
    assert "过程记录" in missing and "文件" not in missing.replace("文件评审", "")
    assert fits(page)
    with page.expect_response(re.compile(r".*/pages/1/$")) as shown:
        evidence.get_by_role("link", name="查看第 1 版").click()
    assert shown.value.status == 200 and "no-store" in shown.value.headers["cache-control"]
    assert page.get_by_test_id("page-number").inner_text() == "第 1 页，共 2 页"
    assert fits(page)
    page.go_back()

    page.get_by_role("link", name="现场采集").click()
    page.wait_for_url(re.compile(r".*/reviews/onsite/projects/\d+/items/\d+/$"))
    assert page.evaluate(KEPT)
    assert fits(page)

    page.context.set_offline(True)
    page.get_by_label("现场所见").fill("排班表张贴在班组看板，与系统排班一致。")
    page.get_by_role("button", name="保存笔记").click()
    page.get_by_label("拍照").set_input_files(str(photo))
    page.get_by_label("说明").fill("班组看板")
    page.get_by_role("button", name="保存照片").click()
    page.get_by_label("受访者姓名").fill("陈班长")
    page.get_by_label("受访者职务").fill("一线班组长")
    page.get_by_label("问题 1").fill("排班如何调整？")
    page.get_by_label("回答 1").fill("每周按话务预测调整。")
    page.get_by_role("button", name="保存访谈").click()
    assert "请先让受访者在屏幕上签名" in page.locator("[data-onsite-error]").inner_text()
    _sign(page)
    page.get_by_role("button", name="保存访谈").click()
    expect(page.get_by_test_id("queued-record")).to_have_count(3)
    assert _queue(page) == ["queued", "queued", "queued"]
    assert "离线" in page.get_by_test_id("network-status").inner_text()
    assert fits(page)
    assert OnsiteRecord.objects.count() == 0

    page.reload()  # still off-line: the page the worker kept, the queue from the phone
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    expect(page.get_by_test_id("queued-record")).to_have_count(3)
    assert _queue(page) == ["queued", "queued", "queued"]
    assert "陈班长" in page.get_by_test_id("queue").inner_text()
    assert OnsiteRecord.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator("[data-testid=queued-record][data-state=sent]")).to_have_count(3,
                                                                               timeout=30_000)
    records = {record.kind: record for record in OnsiteRecord.objects.all()}
    assert sorted(records) == ["interview", "note", "photo"]
    assert records["note"].text == "排班表张贴在班组看板，与系统排班一致。"
    assert records["photo"].photo.kind == "photos" and records["photo"].photo.title == "班组看板"
    interview = records["interview"]
    assert (interview.interviewee_name, interview.interviewee_role) == ("陈班长", "一线班组长")
    assert interview.answers == [{"question": "排班如何调整？", "answer": "每周按话务预测调整。"}]
    assert interview.signature and all(r.captured_by == lead for r in records.values())

    page.goto(f"/reviews/projects/{project.pk}/items/{item.pk}/")
    evidence = page.get_by_test_id("item-evidence")
    assert "与系统排班一致" in evidence.get_by_test_id("item-notes").inner_text()
    assert "陈班长" in evidence.get_by_test_id("item-interviews").inner_text()
    signature = evidence.get_by_role("img", name="陈班长 的签名")
    assert signature.evaluate("img => img.decode().then(() => img.naturalWidth)") == 600
    assert "过程记录" in evidence.get_by_test_id("item-missing").inner_text()
    assert fits(page)
    with page.expect_response(re.compile(r".*/pages/1/$")) as shown:
        evidence.get_by_test_id("item-photos").get_by_role("link", name="查看照片").click()
    assert shown.value.status == 200 and shown.value.headers["content-type"] == "image/webp"
    assert fits(page)
