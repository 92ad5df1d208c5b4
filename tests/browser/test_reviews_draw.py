"""The certification admin runs a review team's draw and verifies it; a drawn reviewer, on a
phone, declines with a reason and a replacement is drawn. Pages fit 390 px."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import Organisation
from reviews.models import Draw, MemberState, ProjectState, ReviewProject, TeamMember
from tests.browser.layout import fits
from tests.browser.sign_in import sign_in
from tests.reviews.conftest import make_reviewer, standard_version_make

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-Word-123"


def test_admin_draws_and_verifies_then_a_reviewer_declines_on_a_phone(
        page, live_server, settings, home_page, user_factory, totp_code):
    settings.SITE_URL = live_server.url
    applicant = Organisation.objects.create(name="示例呼叫中心")
    elsewhere = Organisation.objects.create(name="别处公司")
    reviewers = [make_reviewer(employer=elsewhere, reviews=2, name_zh=f"评审员{n}")
                 for n in range(5)]
    for person in reviewers:
        person.set_password(PASSWORD)
        person.save()
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    make_reviewer(employer=applicant, name_zh="本单位员工")
    project = ReviewProject.objects.create(organisation=applicant,
                                           standard_version=standard_version_make(),
                                           state=ProjectState.ACCEPTED)
    admin = user_factory(roles=["certification_admin"], is_staff=True, email="certs@example.com")

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, admin.email, PASSWORD, code=totp_code(admin), lands_on=r".*")
    page.goto(f"/reviews/staff/projects/{project.pk}/draw/")
    assert page.get_by_test_id("pool-size").inner_text() == "5"
    assert "本单位员工" in page.get_by_test_id("exclusions").inner_text()
    assert fits(page)
    page.get_by_role("button", name="进行抽选").click()
    page.wait_for_url(re.compile(r".*/draw/$"))
    assert "评审组长" in page.get_by_test_id("team").inner_text()
    page.get_by_role("link", name="核验本次抽选").click()
    assert page.get_by_test_id("verdict").inner_text().startswith("一致")
    assert fits(page)
    draw = Draw.objects.get(project=project)
    recomputed = page.get_by_test_id("recomputed-team").inner_text()
    assert [int(n) for n in re.findall(r"\(#(\d+)\)", recomputed)] == draw.team

    page.context.clear_cookies()
    member = TeamMember.objects.get(project=project, reviewer_id=draw.team[1])
    sign_in(page, member.reviewer.email, PASSWORD)
    page.goto("/reviews/")
    assert fits(page)
    page.get_by_label("谢绝的原因").fill("当月出差在外")
    page.get_by_role("button", name="谢绝").click()
    page.wait_for_url(re.compile(r".*/reviews/$"))
    assert "系统将重抽替补" in page.content()
    member.refresh_from_db()
    assert member.state == MemberState.DECLINED
    assert TeamMember.objects.filter(project=project, state=MemberState.DRAWN).count() == 3
