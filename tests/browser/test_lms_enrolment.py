"""A trainee enrols, asks to pay by company bank transfer with fapiao details; a course admin
confirms the transfer; the trainee sees the place confirmed."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from lms.models import Cohort, Course, Enrolment
from tests.browser.layout import follow
from tests.browser.sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("[data-testid=account-menu]").click()
    page.get_by_role("button", name="退出").click()


def _cohort(title: str, capacity: int) -> Cohort:
    course = Course.objects.create(code="ccso-rc", title="CCSO 注册协调员培训",
                                   price=Decimal("6800.00"))
    day_1 = timezone.localdate() + datetime.timedelta(days=30)
    return Cohort.objects.create(
        course=course, code="beijing-12", title=title, status=Cohort.Status.PUBLISHED,
        day_1=day_1, day_2=day_1 + datetime.timedelta(days=1),
        day_3=day_1 + datetime.timedelta(days=2), venue="北京", capacity=capacity,
        price=course.price, enrolment_deadline=timezone.now() + datetime.timedelta(days=20),
    )


def test_enrol_pay_by_bank_transfer_and_staff_confirms(page, live_server,
                                                       user_factory, totp_code):
    trainee = user_factory(roles=["trainee"], email="zhao@example.com", name_zh="赵六",
                           password="Trainee-Pass-2026")
    admin = user_factory(roles=["course_admin"], email="courses@example.com", name_zh="李课程",
                         password="Admin-Pass-2026")
    cohort = _cohort("第十二期 北京班", capacity=2)

    sign_in(page, "zhao@example.com", "Trainee-Pass-2026")
    page.goto("/training/")
    card = page.locator(f"[data-testid=cohort-{cohort.code}]")
    assert "第十二期 北京班" in card.inner_text()
    card.get_by_role("link", name="详情与报名").click()
    assert page.locator("[data-testid=seats-left]").inner_text() == "2 / 2"
    page.get_by_role("button", name="立即报名").click()

    page.wait_for_url(re.compile(r".*/training/enrolments/CC\w+/$"))
    assert page.locator("[data-testid=enrolment-state]").inner_text() == "待付款"
    page.get_by_label("单位名称").fill("示例客服中心有限公司")
    page.get_by_label("纳税人识别号").fill("91350100M000100Y44")
    page.get_by_label("注册地址和电话").fill("北京市海淀区示例路1号 010-12345678")
    page.get_by_label("开户行及账号").fill("中国工商银行北京示例支行 0200000000000000000")
    follow(page, page.get_by_role("button", name="获取对公转账信息"))
    assert page.get_by_text("统一社会信用代码校验位不正确").is_visible()

    page.get_by_label("纳税人识别号").fill("91350100M000100Y43")
    page.get_by_role("button", name="获取对公转账信息").click()
    instructions = page.locator("[data-testid=bank-instructions]")
    reference = page.locator("[data-testid=enrolment-reference]").inner_text()
    assert reference in instructions.inner_text()
    assert "¥6800.00" in instructions.inner_text()
    _sign_out(page)

    # Staff land on their one tool, the training dashboard.
    sign_in(page, "courses@example.com", "Admin-Pass-2026", code=totp_code(admin),
            lands_on=r".*/training/staff/$")
    page.goto("/training/staff/payments/")
    row = page.locator(f"[data-testid=bank-{reference}]")
    assert "示例客服中心有限公司" in row.inner_text()
    row.get_by_label("到账金额（元）").fill("6800.00")
    row.get_by_label("到账日期").fill(timezone.localdate().isoformat())
    row.get_by_role("button", name="确认到账…").click()
    # A page says what confirming does before anything is done.
    assert "此操作无法撤销" in page.get_by_test_id("confirm-consequence").inner_text()
    follow(page, page.get_by_role("button", name="确认已到账"))
    assert page.get_by_text(f"转账 {reference} 已确认").is_visible()
    history = page.get_by_test_id(f"confirmed-{reference}")
    assert "¥6800.00" in history.inner_text() and "李课程" in history.inner_text()
    page.goto("/training/staff/")
    assert "¥6800.00" in page.locator("[data-testid=revenue-total]").inner_text()
    _sign_out(page)

    sign_in(page, "zhao@example.com", "Trainee-Pass-2026")
    page.goto(f"/training/enrolments/{reference}/")
    assert page.locator("[data-testid=enrolment-state]").inner_text() == "已确认"
    assert Enrolment.objects.get(user=trainee).state == Enrolment.State.CONFIRMED
