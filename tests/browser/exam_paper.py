"""The exam the browser tests sit: a completed trainee, four single-choice questions in two
modules, an open sitting; and the steps a candidate takes on the paper."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from exams.models import BlueprintRule, Exam, Sitting
from exams.services import question_save
from tests.browser.sign_in import sign_in

PASSWORD = "Ccso-Exam-Pass-2026"


@pytest.fixture
def exam_and_candidate():
    from lms.models import Cohort, Course, Enrolment

    course = Course.objects.create(code="ccso-coordinator", title="CCSO 注册协调员培训",
                                   price=Decimal("3800.00"))
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course, code="c1", title="第1期", day_1=today - timedelta(days=5),
        day_2=today - timedelta(days=4), day_3=today - timedelta(days=3), capacity=20,
        price=course.price, enrolment_deadline=timezone.now() - timedelta(days=6))
    person = User.objects.create_user(email="kaosheng@example.com", password=PASSWORD,
                                      name_zh="考生甲")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    Enrolment.objects.create(cohort=cohort, user=person, state=Enrolment.State.COMPLETED,
                             price=course.price, reference="REF-BROWSER")
    for module in (1, 2):
        for n in range(2):
            question_save(
                code=f"B-{module}-{n}", module_number=module, kind="single",
                text=f"模块{module}第{n + 1}题：下列哪项正确？",
                options=[{"key": k, "text": f"模块{module}题{n + 1}选项{k}"} for k in "ABC"],
                correct_keys=["A"], explanation="示例解析",
            )
    exam = Exam.objects.create(course=course, title="浏览器考试", duration_minutes=20,
                               is_published=True, retake_wait_hours=0)
    for module in (1, 2):
        BlueprintRule.objects.create(exam=exam, module_number=module, count=2)
    Sitting.objects.create(exam=exam, starts_at=timezone.now() - timedelta(hours=1),
                           ends_at=timezone.now() + timedelta(days=1))
    return exam, person


def _choose(page, position: int, text: str) -> None:
    page.locator(f"#q{position} label.option", has_text=text).click()




def _wait_for_status(page, kind: str, timeout: float = 20_000) -> None:
    page.wait_for_function(
        "kind => document.querySelector('[data-testid=save-status]').className"
        ".includes('save-status-' + kind)", arg=kind, timeout=timeout)


def _sign_in_and_start(page, person) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, person.email, PASSWORD, start="/accounts/login/?next=/exams/",
            lands_on=r".*/exams/$")
    # The exam list leads to the rules page; the clock starts once the statement is ticked.
    page.get_by_role("link", name="开始考试").click()
    page.wait_for_url(re.compile(r".*/exams/\d+/start/$"))
    page.get_by_test_id("honour").check()
    page.get_by_role("button", name="开始作答（开始计时）").click()
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/$"))
