"""Every page a trainee, candidate, holder or reviewer uses (and the attendance roster, used on a
phone or tablet in the room) fits a 390 px and a 360 px wide phone without sideways scrolling:
`document.documentElement.scrollWidth <= window.innerWidth` on each, signed in as the person who
uses it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PHONES = [{"width": 390, "height": 844}, {"width": 360, "height": 740}]
SAMPLE = Path(__file__).resolve().parents[2] / "cms" / "fixtures" / "yd-t-2823-2015-sample.yaml"
FAPIAO = {
    "company_name": "示例省示例市示例区客户联络中心运营管理服务有限责任公司",
    "taxpayer_id": "91350100M000100Y43",
    "address": "北京市海淀区示例路1号 010-12345678",
    "bank": "中国工商银行北京示例支行 0200000000000000000", "email": "finance@example.com",
}


# The innermost elements that reach past the right edge, to say what to fix.
WIDEST = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5
               && ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
  .slice(0, 4).map(e => `${e.tagName.toLowerCase()}.${e.className || ""}`
                        + ` "${(e.textContent || "").trim().slice(0, 30)}"`)"""


def _as(page: Any, live_server: Any, user: User) -> None:
    """Signed in as `user`, as after a complete login (allauth's own pages are tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])


def _overflow(page: Any, path: str) -> list[str]:
    """For each phone, what is wider than the screen at `path` (nothing when it fits)."""
    found = []
    for size in PHONES:
        page.set_viewport_size(size)
        response = page.goto(path)
        assert response is not None and response.ok, (path, response and response.status)
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        if width > inner:
            found.append(f"{path} at {size['width']} px: {width} px wide, past the edge: "
                         + ", ".join(page.evaluate(WIDEST)))
    return found


@pytest.fixture
def journeys(home_page, exam_and_candidate, user_factory):  # type: ignore[no-untyped-def]
    """One person per role, each with what their pages show."""
    from certification import services as certification
    from cms.services import standard_import_file
    from lms import services as lms
    from lms.models import Cohort, Course, Enrolment

    standard_import_file(name=SAMPLE.name, content=SAMPLE.read_bytes())
    exam, candidate = exam_and_candidate
    course = Course.objects.create(code="ccso-rc", title="CCSO 注册协调员培训",
                                   price=Decimal("6800.00"))
    day_1 = timezone.localdate() + dt.timedelta(days=30)
    upcoming = Cohort.objects.create(
        course=course, code="beijing-12", title="2026年12月 北京班（线下，含考试与证书）",
        status=Cohort.Status.PUBLISHED, day_1=day_1, day_2=day_1 + dt.timedelta(days=1),
        day_3=day_1 + dt.timedelta(days=2),
        venue="北京市海淀区中关村南大街示例科技园区 A 座 12 层 1201 培训教室", capacity=30,
        price=course.price, enrolment_deadline=timezone.now() + dt.timedelta(days=20))
    today = timezone.localdate()
    running = Cohort.objects.create(
        course=course, code="guangzhou-running", title="2026年11月 广州班（进行中）",
        status=Cohort.Status.PUBLISHED, day_1=today - dt.timedelta(days=2),
        day_2=today - dt.timedelta(days=1), day_3=today, venue="广州", capacity=30,
        price=course.price, enrolment_deadline=timezone.now() - dt.timedelta(days=3))

    # Long values (an email, a company) must wrap, never widen the page.
    trainee = user_factory(roles=["trainee"], name_zh="欧阳晓明",
                           email="ouyang.xiaoming.training-department@example-contact-centre.com")
    enrolment = lms.enrolment_create(user=trainee, cohort_id=upcoming.pk)
    lms.checkout_start(enrolment_id=enrolment.pk, user=trainee, provider="bank_transfer",
                       fapiao=FAPIAO)
    for n in range(3):
        Enrolment.objects.create(cohort=running, user=user_factory(name_zh=f"学员{n}"),
                                 state=Enrolment.State.CONFIRMED, price=course.price,
                                 reference=f"CCRUN000{n}")

    holder = user_factory(roles=["trainee"], name_zh="司马相如")
    credential = certification.credential_issue_for_pass(
        user_id=holder.pk, source_key="exams.attempt:phone-1", exam_score=Decimal("88.00"),
        passed_at=timezone.now())
    certification.credential_registry_listing_set(credential=credential, holder=holder,
                                                  listed=True)
    return {
        "exam": exam, "candidate": candidate, "trainee": trainee, "enrolment": enrolment,
        "running": running, "holder": holder, "credential": credential,
        "course_admin": user_factory(roles=["course_admin"]),
    }


def test_every_persons_pages_fit_a_phone(page, live_server, journeys):
    from exams import services as exams

    j = journeys
    credential = j["credential"]
    overflow: list[str] = []
    # A visitor: the standard, training, verification, the registry.
    for path in ("/", "/standard/", "/standard/search/?q=首次解决率", "/training/",
                 f"/training/cohorts/{j['enrolment'].cohort.code}/", "/credentials/verify/",
                 credential.verification_path(), "/credentials/registry/",
                 "/credentials/verify/badge/"):
        overflow += _overflow(page, path)
    module = page.goto("/standard/") and page.locator("table.cms-modules a").first
    overflow += _overflow(page, module.get_attribute("href"))
    item = page.locator("article.cms-item a").first.get_attribute("href")
    overflow += _overflow(page, item)

    # A trainee paying by bank transfer.
    _as(page, live_server, j["trainee"])
    reference = j["enrolment"].reference
    for path in ("/me/", "/me/profile/", "/training/my/", f"/training/enrolments/{reference}/",
                 f"/training/enrolments/{reference}/cancel/"):
        overflow += _overflow(page, path)

    # A candidate: the exams, the paper, the result.
    _as(page, live_server, j["candidate"])
    overflow += _overflow(page, "/exams/")
    attempt, _ = exams.attempt_start(exam=j["exam"], user=j["candidate"])
    overflow += _overflow(page, f"/exams/attempts/{attempt.pk}/")
    exams.attempt_submit(attempt_id=attempt.pk, user=j["candidate"])
    overflow += _overflow(page, f"/exams/attempts/{attempt.pk}/result/")

    # A holder: their credentials, and the application to become a reviewer.
    _as(page, live_server, j["holder"])
    for path in ("/credentials/", "/credentials/apply/", "/me/",
                 f"/credentials/{credential.pk}/badge/"):
        overflow += _overflow(page, path)

    # The course admin marking attendance on day 3, phone in hand.
    _as(page, live_server, j["course_admin"])
    overflow += _overflow(page, f"/training/staff/cohorts/{j['running'].code}/")

    assert not overflow, "\n".join(overflow)


def test_the_roster_shows_day_3_on_a_phone_without_scrolling_the_table(
    page, live_server, journeys
):
    _as(page, live_server, journeys["course_admin"])
    email = journeys["running"].enrolments.first().user.email
    for size in PHONES:
        page.set_viewport_size(size)
        page.goto(f"/training/staff/cohorts/{journeys['running'].code}/")
        row = page.get_by_test_id(f"roster-{email}")
        toggle = row.get_by_test_id("day-3")
        box = toggle.bounding_box()
        assert box is not None and box["x"] + box["width"] <= size["width"], (size, box)
        pressed = toggle.get_attribute("aria-pressed")
        toggle.click()
        page.wait_for_load_state()
        assert row.get_by_test_id("day-3").get_attribute("aria-pressed") != pressed


def test_on_a_phone_the_navigator_stays_in_view_and_radios_keep_their_size(
    page, live_server, exam_and_candidate
):
    from exams import services as exams
    from exams.models import QuestionVersion

    exam, candidate = exam_and_candidate
    long_text = "当客户在同一天内通过电话、在线客服和电子邮件多次联系并反映同一问题时，" * 4
    for version in QuestionVersion.objects.all():  # test data: each option a long sentence
        QuestionVersion.objects.filter(pk=version.pk).update(
            options=[{**o, "text": long_text} for o in version.options])
    attempt, _ = exams.attempt_start(exam=exam, user=candidate)
    _as(page, live_server, candidate)
    page.set_viewport_size(PHONES[0])
    page.goto(f"/exams/attempts/{attempt.pk}/")
    for position in (2, 3):  # mid-paper, each question taller than the screen
        page.locator(f"#q{position}").evaluate("q => q.scrollIntoView()")
        nav = page.get_by_test_id("nav-1").bounding_box()
        assert nav is not None and nav["y"] >= 0, nav
        assert nav["y"] + nav["height"] <= PHONES[0]["height"], nav
    for radio in page.locator(".option input").all():
        box = radio.bounding_box()
        assert box is not None and box["width"] >= 17 and box["height"] >= 17, box


def test_the_reference_and_the_account_copy_with_one_tap(page, live_server, journeys):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    _as(page, live_server, journeys["trainee"])
    page.set_viewport_size(PHONES[0])
    page.goto(f"/training/enrolments/{journeys['enrolment'].reference}/")
    # The payments table reads as lines on a phone, not one character per line.
    for cell in page.get_by_test_id("payments").locator("td").all():
        box = cell.bounding_box()
        assert box is not None and box["height"] < 40, (cell.inner_text(), box)
    instructions = page.get_by_test_id("bank-instructions")
    instructions.get_by_role("button", name="复制识别码").click()
    assert page.evaluate("navigator.clipboard.readText()") == journeys["enrolment"].reference
    expect(instructions.get_by_role("button", name="复制识别码")).to_have_text("已复制")
    instructions.get_by_role("button", name="复制账号").click()
    # The digits alone, as a bank's form wants them.
    assert page.evaluate("navigator.clipboard.readText()") == "0200000000000000000"


def test_without_script_the_values_are_there_to_select_and_no_button_misleads(
    browser, live_server, journeys
):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url,
                                  java_script_enabled=False)
    page = context.new_page()
    _as(page, live_server, journeys["trainee"])
    page.goto(f"/training/enrolments/{journeys['enrolment'].reference}/")
    assert page.get_by_test_id("bank-reference").inner_text() == journeys["enrolment"].reference
    assert page.get_by_test_id("bank-reference").evaluate(
        "e => getComputedStyle(e).userSelect") == "all"
    assert not page.get_by_role("button", name="复制识别码").is_visible()
    context.close()
