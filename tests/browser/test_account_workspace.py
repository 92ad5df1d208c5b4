"""Staff sign in and find their tools: a course admin lands on the training tools and the account
menu offers only those; a superuser lands on the workspace listing every tool."""

from __future__ import annotations

import re

import pytest

from tests.browser.layout import fits
from tests.browser.sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-Word-123"


def _workspace_menu(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.get_by_test_id("account-menu").click()
    menu = page.get_by_test_id("workspace-menu")
    return [link.inner_text() for link in menu.locator("ul a").all()]


def test_a_course_admin_lands_on_the_training_tools_and_the_menu_offers_only_those(
        page, user_factory, totp_code, home_page):
    admin = user_factory(roles=["course_admin"], is_staff=True)
    sign_in(page, admin.email, PASSWORD, code=totp_code(admin), lands_on=r".*/training/staff/$")
    assert "您还没有报名" not in page.content()

    assert _workspace_menu(page) == ["培训管理"]
    assert page.get_by_role("link", name="内容管理（Wagtail）").count() == 0
    page.get_by_test_id("workspace-menu").get_by_role("link", name="工作台").click()
    page.wait_for_url(re.compile(r".*/me/workspace/$"))
    page.get_by_test_id("workspace-tools").get_by_role("link", name="培训管理").click()
    page.wait_for_url(re.compile(r".*/training/staff/$"))


def test_a_superuser_lands_on_the_workspace_with_every_tool(page, user_factory, totp_code,
                                                            home_page):
    root = user_factory(is_staff=True, is_superuser=True)
    sign_in(page, root.email, PASSWORD, code=totp_code(root), lands_on=r".*/me/workspace/$")
    tools = page.get_by_test_id("workspace-tools").get_by_role("link")
    assert tools.all_inner_texts() == ["培训管理", "考务管理", "证书管理", "评审申请", "认证中心证书",
                                       "评审员费用", "待决定的评审", "抽查与评审员记录", "KPI 对标",
                                       "内容管理（Wagtail）", "Django 管理后台"]
    # On a phone the open menu, with every tool, still fits the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert _workspace_menu(page) == tools.all_inner_texts()
    assert fits(page)
    box = page.get_by_test_id("workspace-menu").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.get_by_test_id("account-menu").click()  # closes it again
    page.get_by_test_id("workspace-tools").get_by_role("link", name="考务管理").click()
    page.wait_for_url(re.compile(r".*/exams/manage/$"))
