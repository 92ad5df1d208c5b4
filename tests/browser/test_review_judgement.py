"""A drawn reviewer, on a phone, signs the integrity agreement (which, the rest of the team
having signed, starts document review) and judges an item; every page fits 390 px."""

from __future__ import annotations

import re

import pytest

from reviews.models import AgreementAcceptance, Judgement, ProjectState, Verdict
from tests.browser.layout import fits, follow
from tests.browser.sign_in import sign_in
from tests.reviews.team import agreement_publish, project_drawn, sign, team, version_make

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-Word-123"


def test_a_reviewer_signs_the_agreement_and_judges_an_item_on_a_phone(page, live_server,
                                                                     settings, home_page):
    settings.SITE_URL = live_server.url
    version = version_make(modules=[1, 2], items=3)
    agreement_publish()
    project = project_drawn(version=version)
    me, *others = team(project)
    for member in others:
        sign(member)

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, me.reviewer.email, PASSWORD)
    page.goto("/reviews/")
    page.get_by_role("link", name="受评审中心").click()
    page.wait_for_url(re.compile(rf".*/reviews/projects/{project.pk}/$"))
    assert fits(page)
    follow(page, page.get_by_role("link", name="阅读并签署协议"))
    assert "评审员承诺" in page.get_by_test_id("agreement-text").inner_text()
    assert fits(page)
    page.get_by_label("您的姓名").fill("别人的名字")
    page.get_by_label(re.compile("本人声明")).check()
    follow(page, page.get_by_role("button", name="接受并签署"))
    assert "不一致" in page.content()
    page.get_by_label("您的姓名").fill(me.reviewer.name_zh)
    page.get_by_label(re.compile("本人声明")).check()
    page.get_by_role("button", name="接受并签署").click()
    page.wait_for_url(re.compile(rf".*/reviews/projects/{project.pk}/$"))
    assert "您已签署诚信协议" in page.content()
    assert page.get_by_test_id("project-state").inner_text() == "文件评审"
    assert AgreementAcceptance.objects.filter(member=me).exists()

    follow(page, page.get_by_role("link", name="评判条目"))
    assert fits(page)
    follow(page, page.get_by_role("link", name=re.compile("规划及发展方向")))
    assert fits(page)
    follow(page, page.get_by_role("link", name=re.compile(r"4\.1\.1")))
    assert fits(page)
    page.get_by_label("不符合", exact=True).check()
    page.get_by_label("原因").fill("未见 2026 年度经营计划的审批记录")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/items/\d+/$"))
    assert "已保存：4.1.1" in page.content()
    assert "4.1.2" in page.locator("h1").inner_text()  # on to the next item
    judgement = Judgement.objects.get(member=me)
    assert judgement.verdict == Verdict.NOT_CONFORMS
    assert judgement.reason == "未见 2026 年度经营计划的审批记录"
    project.refresh_from_db()
    assert project.state == ProjectState.DOCUMENT_REVIEW
    follow(page, page.get_by_role("link", name=re.compile("规划及发展方向")))
    assert "已评 1/3" in page.get_by_test_id("module-progress").inner_text()
    assert fits(page)

    # The same reviewer is the team's lead: the final judgement pages fit too.
    page.goto(f"/reviews/projects/{project.pk}/")
    follow(page, page.get_by_role("link", name="评审组最终评判"))
    assert page.get_by_test_id("module-table").is_visible() and fits(page)
    follow(page, page.get_by_role("link", name=re.compile("规划及发展方向")))
    assert fits(page)
    follow(page, page.get_by_role("link", name=re.compile(r"4\.1\.1")))
    assert "未见 2026 年度经营计划的审批记录" in page.get_by_test_id("team-judgements").inner_text()
    assert fits(page)
