"""The rules page before the clock starts (issue 10 point 11), in the browser: the facts, the
start button disabled until the honour statement is ticked, then the paper; an attempt in
progress resumes directly; the page fits a 390 px phone."""

from __future__ import annotations

import re

import pytest

from exams.models import Attempt
from tests.browser.exam_paper import PASSWORD, _sign_in_and_start
from tests.browser.layout import fits
from tests.browser.sign_in import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_rules_page_then_the_statement_then_the_paper_and_a_resume_goes_straight_back(
        page, live_server, exam_and_candidate):
    exam, person = exam_and_candidate
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, person.email, PASSWORD, start="/accounts/login/?next=/exams/",
            lands_on=r".*/exams/$")
    page.get_by_role("link", name="开始考试").click()
    page.wait_for_url(re.compile(rf".*/exams/{exam.pk}/start/$"))

    rules = page.get_by_test_id("exam-rules")
    assert "20 分钟" in page.get_by_test_id("rule-time").inner_text()
    assert page.get_by_test_id("rule-questions").inner_text() == "题目数量：4"
    assert "60.00%" in page.get_by_test_id("rule-pass-mark").inner_text()
    assert page.get_by_test_id("rule-attempts").inner_text() == "剩余考试次数：2 / 2"
    assert "自动交卷" in page.get_by_test_id("rule-deadline").inner_text()
    assert rules.is_visible()
    assert fits(page)
    assert not Attempt.objects.filter(user=person).exists()  # nothing starts on opening it

    start = page.get_by_role("button", name="开始作答（开始计时）")
    assert start.is_disabled()
    honour = page.get_by_test_id("honour")
    honour.check()
    assert start.is_enabled()
    honour.uncheck()
    assert start.is_disabled()
    honour.check()
    start.click()
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/$"))
    attempt = Attempt.objects.get(user=person)
    assert page.locator("fieldset.question").count() == 4

    # Back on the list (or the rules page's address): the attempt in progress resumes directly.
    page.goto("/exams/")
    page.get_by_role("link", name="继续考试").click()
    page.wait_for_url(re.compile(rf".*/exams/attempts/{attempt.pk}/$"))
    page.goto(f"/exams/{exam.pk}/start/")
    page.wait_for_url(re.compile(rf".*/exams/attempts/{attempt.pk}/$"))
    assert Attempt.objects.filter(user=person).count() == 1


def test_a_failed_candidate_sees_score_modules_and_the_retake_but_no_key_on_a_phone(
        page, live_server, exam_and_candidate):
    _exam, person = exam_and_candidate
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in_and_start(page, person)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"))
    assert page.get_by_test_id("outcome").inner_text() == "不合格"
    assert "0.00%" in page.get_by_test_id("score").inner_text()
    assert page.get_by_test_id("module-breakdown").locator("tbody tr").count() == 2
    assert "1 次考试机会" in page.get_by_test_id("retake").inner_text()
    assert page.get_by_test_id("review-later").is_visible()
    assert page.locator(".is-key").count() == 0
    assert "示例解析" not in page.content()
    assert fits(page)
