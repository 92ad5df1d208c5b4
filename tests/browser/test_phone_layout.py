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
    expect(instructions.get_by_role("button", name="复制识别码")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == journeys["enrolment"].reference
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


def test_the_kpi_pages_fit_a_phone(page, live_server, home_page, user_factory):  # type: ignore[no-untyped-def]
    """The applicant's KPI page and entry form, the reviewer's charts with the drawn month's
    checks and an item showing its KPI check, with long organisation names and 64-digit seeds."""
    from accounts.models import Organisation
    from reviews import services
    from reviews.models import MemberRole, OrganisationMember, ProjectState, ReviewProject
    from tests.reviews import kpi_samples as samples
    from tests.reviews.conftest import make_reviewer, standard_version_make, team_make

    version = standard_version_make()
    organisation = Organisation.objects.create(name=FAPIAO["company_name"])
    project = ReviewProject.objects.create(organisation=organisation, standard_version=version,
                                           state=ProjectState.TEAM_DRAWN, scope="北京总部")
    lead = make_reviewer(employer=Organisation.objects.create(name="远方中心"), name_zh="王组长")
    team_make(project, lead=lead)
    applicant = user_factory(name_zh="赵数据")
    OrganisationMember.objects.create(organisation=organisation, user=applicant,
                                      role=MemberRole.ADMIN)
    services.kpi_months_save(project=project, rows=samples.grid(attrition=(1, 200)),
                             locate=samples.locate, where="grid", parameters=None, by=applicant)
    month = services.kpi_month_draw(project=project).drawn_month
    services.kpi_source_upload(project=project, kind="roster",
                               upload=samples.csv_bytes(samples.roster_rows(month)),
                               name="roster.csv", by=applicant)
    services.kpi_source_upload(project=project, kind="calls",
                               upload=samples.csv_bytes(samples.calls_rows(month)),
                               name="calls.csv", by=applicant)
    problems = []
    _as(page, live_server, applicant)
    for path in (f"/reviews/projects/{project.pk}/kpi/",
                 f"/reviews/projects/{project.pk}/kpi/edit/"):
        problems += _overflow(page, path)
    project.state = ProjectState.DOCUMENT_REVIEW
    project.save()
    _as(page, live_server, lead)
    item = version.get_children().specific().first().items.first()
    for path in (f"/reviews/projects/{project.pk}/kpi/",
                 f"/reviews/projects/{project.pk}/items/{item.pk}/"):
        problems += _overflow(page, path)
    assert problems == []
    page.set_viewport_size(PHONES[0])
    page.goto(f"/reviews/projects/{project.pk}/kpi/")
    chart = page.locator("svg.kpi-chart").first
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and 300 < box["width"] <= 390
    expect(page.locator(f'[data-drawn-month="{month:%Y-%m}"]')).to_have_count(9)
    expect(page.locator('[data-testid="kpi-check"][data-flagged="1"]')).to_have_count(1)




def test_a_reviewers_fee_statement_and_an_organisations_benchmark_position_fit_a_phone(
    page, live_server, home_page, user_factory
):
    """A reviewer reads their statement, an organisation's member its KPI position, on a
    phone: a long travel note and organisation name wrap, the charts scale."""
    from accounts.models import Organisation
    from reviews import services
    from reviews.models import MemberRole, OrganisationMember, OrganisationProfile, ProjectState
    from tests.reviews.benchmarking import reviewed
    from tests.reviews.conftest import make_reviewer, standard_version_make, team_make

    version = standard_version_make()
    for n in range(5):
        reviewed(version, name=f"示例银行{n}客户服务中心", industry="banking", kpi="asa",
                 counts=[((20 + 5 * n) * 1000, 1000)] * 12)
    organisation = Organisation.objects.create(
        name="示例省示例市示例区商业银行股份有限公司远程银行客户联络中心")
    OrganisationProfile.objects.create(organisation=organisation, industry="banking",
                                       centre_type="in_house", seats=500, channels=["voice"])
    reviewed(version, name="", industry="banking", kpi="asa", organisation=organisation,
             counts=[(27_000, 1000)] * 12)
    member = user_factory(name_zh="欧阳申请")
    OrganisationMember.objects.create(organisation=organisation, user=member,
                                      role=MemberRole.ADMIN)

    project = reviewed(version, name="示例省示例市示例区客户联络中心运营管理服务有限责任公司",
                       industry="telecom", state=ProjectState.CERTIFIED, value="90")
    reviewer = make_reviewer(employer=Organisation.objects.create(name="评审员单位"),
                             name_zh="司马评审")
    team_make(project, lead=reviewer)
    services.fee_record(
        member=project.members.get(), by=user_factory(roles=["certification_admin"]),
        work_ended_on=timezone.localdate(), document_days=Decimal("2.5"),
        onsite_days=Decimal("1.5"), travel_amount=Decimal("12345.67"),
        travel_note="北京—乌鲁木齐—喀什往返机票、当地交通及住宿三晚（含现场评审期间的市内交通费用）")

    overflow: list[str] = []
    _as(page, live_server, reviewer)
    overflow += _overflow(page, "/reviews/fees/")
    expect(page.get_by_test_id("fee-total")).to_have_text("¥20345.67")
    _as(page, live_server, member)
    overflow += _overflow(page, f"/reviews/organisations/{organisation.pk}/benchmark/")
    expect(page.locator("svg.benchmark-chart")).to_have_count(1)
    assert not overflow, "\n".join(overflow)




def test_a_reviewers_item_evidence_and_on_site_capture_pages_fit_a_phone(page, live_server,
                                                                        home_page):
    """The item page with every kind of evidence beside the judgement, and the capture page."""
    import io
    import uuid

    from accounts.models import Organisation
    from reviews import selectors as review_selectors
    from reviews import services as review_services
    from reviews.models import ProjectState, ReviewProject
    from tests.reviews import samples
    from tests.reviews.conftest import make_reviewer, standard_version_make, team_make

    organisation = Organisation.objects.create(name="示例省示例市客户联络中心运营管理服务有限责任公司")
    project = ReviewProject.objects.create(organisation=organisation,
                                           standard_version=standard_version_make(),
                                           state=ProjectState.DOCUMENT_REVIEW)
    lead = make_reviewer(employer=Organisation.objects.create(name="别处公司"), name_zh="欧阳组长")
    team_make(project, lead=lead)
    member = review_selectors.membership_for(user=lead, project_id=project.pk)
    assert member is not None
    from cms.selectors import version_items

    item = version_items(version=project.standard_version).first()
    long = "现场查看了班组看板、排班系统截图和应急预案演练记录，" * 6
    review_services.onsite_note_capture(member=member, item=item, client_uuid=uuid.uuid4(),
                                        text=long, captured_at=timezone.now())
    review_services.onsite_interview_capture(
        member=member, item=item, client_uuid=uuid.uuid4(), interviewee_name="司马相如",
        interviewee_role="客户服务中心运营管理部一线班组长（夜班）",
        answers=[{"question": "排班如何根据话务预测调整？" * 3, "answer": long}],
        signature=samples.signature_png(), interviewed_at=timezone.now(), captured_at=timezone.now())
    review_services.onsite_photo_capture(
        member=member, item=item, client_uuid=uuid.uuid4(),
        upload=io.BytesIO(samples.image_bytes("JPEG")), name="IMG_0001.jpg", size=None,
        captured_at=timezone.now(), caption="班组看板" * 10)
    _as(page, live_server, lead)
    overflow = _overflow(page, f"/reviews/projects/{project.pk}/items/{item.pk}/")
    overflow += _overflow(page, f"/reviews/onsite/projects/{project.pk}/items/{item.pk}/")
    assert not overflow, "\n".join(overflow)




def test_a_reviewers_record_and_appeal_fit_a_phone(page, live_server, home_page, user_factory):
    """A sanctioned reviewer reads their record and appeals, on a phone."""
    from reviews import services
    from reviews.models import Verdict
    from tests.reviews.spotcheck_data import decided_review
    from tests.reviews.team import reviewer_with_login, version_make

    version = version_make(modules=[1, 2], items=2)
    reviewer = reviewer_with_login(name_zh="王组长")
    decided_review(version=version, lead=reviewer,
                   name="示例省示例市示例区客户联络中心运营管理服务有限责任公司")
    committee = user_factory(roles=["expert_committee"], is_staff=True)
    spot_check = services.spotcheck_draw(by=committee)
    review = spot_check.reviews.get()
    check = services.spotcheck_item_judge(
        review=review, item_id=review.sample_ids[0], by=committee,
        verdict=Verdict.NOT_CONFORMS, reason="证据中未见该制度的审批记录与签发文件" * 3)
    sanction = services.sanction_impose(reviewer=reviewer, action="suspend",
                                        reason="判断与证据不符，评审结论偏松" * 3,
                                        finding_ids=[check.finding.pk], by=committee)
    _as(page, live_server, reviewer)
    overflow = _overflow(page, "/reviews/record/")
    overflow += _overflow(page, f"/reviews/sanctions/{sanction.pk}/appeal/")
    page.get_by_label("申诉理由").fill("证据在附件第3页")
    page.get_by_test_id("appeal-submit").click()
    expect(page.get_by_test_id("appeal")).to_contain_text("证据在附件第3页")
    overflow += _overflow(page, f"/reviews/sanctions/{sanction.pk}/appeal/")
    assert not overflow, "\n".join(overflow)
