"""On a phone, the applicant uploads evidence against an item and sees what is still missing;
a reviewer on the team opens it page by page as watermarked images. Pages fit 390 px."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Organisation
from reviews.models import (
    EvidencePageView,
    EvidenceVersion,
    MemberRole,
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


def test_the_applicant_uploads_and_a_reviewer_reads_page_by_page_on_a_phone(
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
    evidence_pdf = tmp_path / "培训制度.pdf"
    evidence_pdf.write_bytes(samples.pdf_bytes(pages=2))

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, applicant.email, PASSWORD)
    page.goto(f"/reviews/projects/{project.pk}/evidence/")
    first_item = page.get_by_test_id("evidence-item").first
    assert "文件" in first_item.get_by_test_id("missing").inner_text()
    assert fits(page)
    form = first_item.get_by_test_id("upload-form")
    form.get_by_label("证据类型").select_option("documents")
    form.get_by_label("文件（PDF、PNG 或 JPEG）").set_input_files(str(evidence_pdf))
    form.get_by_role("button", name="上传").click()
    page.wait_for_url(re.compile(r".*/evidence/$"))
    assert "证据已添加" in page.content()
    assert "培训制度.pdf" in page.get_by_test_id("evidence-file").first.inner_text()
    assert fits(page)
    version = EvidenceVersion.objects.get()

    page.context.clear_cookies()
    sign_in(page, lead.email, PASSWORD)
    page.goto("/reviews/")
    page.get_by_role("link", name="证据").click()
    with page.expect_response(re.compile(r".*/pages/1/$")) as first:
        page.get_by_role("link", name="查看第 1 版").click()
    assert first.value.status == 200 and first.value.headers["content-type"] == "image/webp"
    assert page.get_by_test_id("page-number").inner_text() == "第 1 页，共 2 页"
    shown = page.get_by_role("img", name="第 1 页")
    assert shown.evaluate("img => img.decode().then(() => img.naturalWidth)") > 1000
    assert fits(page)
    with page.expect_response(re.compile(r".*/pages/2/$")):
        page.get_by_role("link", name="下一页").click()
    assert page.get_by_test_id("page-number").inner_text() == "第 2 页，共 2 页"
    assert list(EvidencePageView.objects.filter(version=version).order_by("pk")
                .values_list("viewer_id", "page")) == [(lead.pk, 1), (lead.pk, 2)]
