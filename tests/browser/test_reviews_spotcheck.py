"""The expert committee's walk: from the workspace to the spot-checks, draw one, re-judge an
item the team passed as not conforming (a finding), suspend the reviewer it names after the
confirmation page, and the public verification page then says suspended."""

from __future__ import annotations

import re

import pytest

from certification.models import CredentialStatus
from reviews import selectors
from reviews.models import Finding, SpotCheckJudgement
from tests.browser.layout import follow
from tests.browser.sign_in import sign_in
from tests.reviews.spotcheck_data import decided_review
from tests.reviews.team import reviewer_with_login, version_make

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-Word-123"


def test_the_committee_draws_rejudges_and_suspends(page, live_server, settings, home_page,
                                                   user_factory, totp_code):
    settings.SITE_URL = live_server.url
    version = version_make(modules=[1, 2], items=3)
    lead = reviewer_with_login(name_zh="王组长")
    decided_review(version=version, lead=lead, name="晨曦客服中心")
    committee = user_factory(roles=["expert_committee"], is_staff=True, name_zh="孙专家")

    sign_in(page, committee.email, PASSWORD, code=totp_code(committee),
            lands_on=r".*/me/workspace/$")
    page.get_by_test_id("workspace-tools").get_by_role("link", name="抽查与评审员记录").click()
    page.wait_for_url(re.compile(r".*/reviews/staff/spotchecks/$"))
    page.get_by_test_id("spotcheck-draw").click()
    page.wait_for_url(re.compile(r".*/reviews/staff/spotchecks/\d+/$"))
    page.get_by_test_id("spotcheck-verify").click()
    assert "一致" in page.get_by_test_id("verify-result").inner_text()
    page.go_back()
    page.get_by_role("link", name="晨曦客服中心").click()
    page.get_by_role("link", name="复评").first.click()
    assert "王组长" in page.get_by_test_id("team-judgements").inner_text()
    page.get_by_label("不符合", exact=True).check()
    page.get_by_label("原因").fill("未见审批记录")
    follow(page, page.get_by_role("button", name="保存"))
    assert "已记录为发现" in page.content()
    finding = Finding.objects.get()
    assert SpotCheckJudgement.objects.count() == 1 and list(finding.reviewers.all()) == [lead]

    page.goto(f"/reviews/staff/reviewers/{lead.pk}/")
    assert "未见审批记录" in page.get_by_test_id("reviewer-findings").inner_text()
    form = page.get_by_test_id("sanction-form")
    form.get_by_label("暂停评审员证书").check()
    form.get_by_label(re.compile("未见审批记录")).check()
    form.get_by_label("原因").fill("判断与证据不符")
    form.get_by_role("button", name="继续").click()
    assert "已暂停" in page.get_by_test_id("confirm-consequence").inner_text()
    page.get_by_test_id("sanction-confirm").click()
    page.wait_for_url(re.compile(rf".*/reviews/staff/reviewers/{lead.pk}/$"))
    assert page.get_by_test_id("credential-status").inner_text() == "已暂停"

    credential = selectors.reviewer_credential(lead)
    assert credential is not None and credential.status == CredentialStatus.SUSPENDED
    page.context.clear_cookies()
    page.goto(credential.verification_path())
    assert "已暂停" in page.content()
