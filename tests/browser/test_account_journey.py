"""A newcomer signs up, verifies their email from the outbox, signs in and switches language."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db(transaction=True)


def _confirmation_link(body: str) -> str:
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert match, body
    return match.group(0)


def test_sign_up_verify_sign_in_and_switch_language(page, live_server, home_page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_role("link", name="注册", exact=True).click()

    page.get_by_label("电子邮件").fill("wang.wu@example.com")
    page.get_by_label("姓名（中文）").fill("王五")
    page.get_by_label("姓名（拼音或英文）").fill("WANG Wu")
    page.locator("#id_password1").fill("Ccso-Strong-Pass-2026")
    page.locator("#id_password2").fill("Ccso-Strong-Pass-2026")
    page.get_by_role("button", name="注册", exact=True).click()

    page.wait_for_url(re.compile(r".*/accounts/confirm-email/$"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wang.wu@example.com"]
    link = _confirmation_link(message.body)

    page.goto(link)
    page.get_by_role("button", name="确认").click()
    # Confirming signs the person in and lands on their dashboard.
    page.wait_for_url(re.compile(r".*/me/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "欢迎，王五"

    page.locator("[data-testid=account-menu]").click()
    page.get_by_role("button", name="退出").click()
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("电子邮件").fill("wang.wu@example.com")
    page.locator("#id_password").fill("Ccso-Strong-Pass-2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/me/$"))

    page.locator("[data-testid=lang-en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, 王五"
    assert page.get_by_role("link", name="The standard").is_visible()
