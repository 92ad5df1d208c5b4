"""The spot-check's pages and API, with the same permissions: the committee draws, re-judges,
sees findings, sanctions with a confirmation, resolves appeals; a reviewer cannot draw (403)
and reads only their own record and appeal (404 for another's)."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from certification.models import CredentialStatus
from reviews import selectors, services
from reviews.models import (
    Finding,
    OnsiteKind,
    OnsiteRecord,
    Sanction,
    SanctionState,
    SpotCheck,
    SpotCheckJudgement,
)
from tests.app_token import app_headers, as_json

from .conftest import NOW
from .spotcheck_data import N, decided_review
from .team import reviewer_with_login, version_make

pytestmark = pytest.mark.django_db
BASE = "/api/v1/reviews"


@pytest.fixture
def version(home_page):
    return version_make(modules=[1, 2], items=2)


@pytest.fixture
def committee(user_factory):
    return user_factory(roles=["expert_committee"], is_staff=True, name_zh="孙专家")


@pytest.fixture
def lead(version):
    lead = reviewer_with_login(name_zh="王组长")
    decided_review(version=version, lead=lead, name="晨曦客服中心")
    return lead


def test_the_committee_walks_the_pages(client, committee, lead, mailoutbox):
    client.force_login(committee)
    listing = reverse("reviews:staff_spotchecks")
    assert "1 个已决定的评审可供抽取" in client.get(listing).content.decode()
    response = client.post(listing, follow=True)
    spot_check = SpotCheck.objects.get()
    assert response.redirect_chain[-1][0] == reverse("reviews:staff_spotcheck",
                                                     args=[spot_check.pk])
    page = response.content.decode()
    assert spot_check.seed in page and "晨曦客服中心" in page
    verify = client.get(reverse("reviews:staff_spotcheck_verify", args=[spot_check.pk]))
    assert "重新计算的抽取结果与存档一致" in verify.content.decode()

    review = spot_check.reviews.get()
    first, second = review.sample["1"]
    # A note the team took on site for the item, kept with the review.
    OnsiteRecord.objects.create(project=review.project, item_id=first, kind=OnsiteKind.NOTE,
                                client_uuid=uuid.uuid4(), captured_by=lead, captured_at=NOW,
                                received_at=NOW, text="现场抽看了三份排班表")
    item_url = reverse("reviews:staff_spotcheck_item", args=[review.pk, first])
    item_page = client.get(item_url).content.decode()
    assert "王组长" in item_page and "依据证据" in item_page  # the team's final judgement
    # The kept evidence as the team saw it, on-site records and data checks included.
    assert 'data-testid="item-evidence"' in item_page and "现场抽看了三份排班表" in item_page
    assert 'data-testid="data-checks"' in item_page
    response = client.post(item_url, {"verdict": N, "reason": "未见审批记录"}, follow=True)
    # On to the next item not yet re-judged.
    assert response.redirect_chain[-1][0] == reverse("reviews:staff_spotcheck_item",
                                                     args=[review.pk, second])
    finding = Finding.objects.get()
    assert list(finding.reviewers.all()) == [lead]

    reviewer_page = reverse("reviews:staff_reviewer", args=[lead.pk])
    assert "未见审批记录" in client.get(reviewer_page).content.decode()
    form = {"action": "suspend", "reason": "判断与证据不符", "findings": [finding.pk]}
    confirm = client.post(reverse("reviews:staff_sanction", args=[lead.pk]), form)
    assert 'data-testid="confirm-consequence"' in confirm.content.decode()
    assert not Sanction.objects.exists()  # nothing happens before the confirmation
    client.post(reverse("reviews:staff_sanction", args=[lead.pk]), {**form, "confirmed": "1"})
    sanction = Sanction.objects.get()
    assert sanction.credential.status == CredentialStatus.SUSPENDED
    assert "已暂停" in client.get(reviewer_page).content.decode()


def test_a_reviewer_reads_their_record_and_appeals(client, committee, lead, user_factory):
    spot_check = services.spotcheck_draw(by=committee, now=NOW)
    review = spot_check.reviews.get()
    check = services.spotcheck_item_judge(review=review, item_id=review.sample_ids[0],
                                          by=committee, verdict=N, reason="未见审批记录", now=NOW)
    sanction = services.sanction_impose(reviewer=lead, action="warn", reason="判断偏松",
                                        finding_ids=[check.finding.pk], by=committee, now=NOW)
    client.force_login(lead)
    record = client.get(reverse("reviews:my_record")).content.decode()
    assert "晨曦客服中心" in record and "未见审批记录" in record and "判断偏松" in record
    assert "0.0%（复核 1 项，一致 0 项）" in record
    url = reverse("reviews:sanction_appeal", args=[sanction.pk])
    client.post(url, {"reason": "证据在附件第3页"})
    assert sanction.appeals.get().reason == "证据在附件第3页"
    # Another reviewer: no record of someone else, and 404 on another's sanction.
    other = reviewer_with_login(name_zh="李评审")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("reviews:staff_reviewer", args=[lead.pk])).status_code == 403
    # Someone who never held a reviewer credential has no record.
    client.force_login(user_factory())
    assert client.get(reverse("reviews:my_record")).status_code == 404


@pytest.mark.parametrize("name", ["staff_spotchecks", "staff_reviewers"])
def test_staff_pages_refuse_a_reviewer_and_send_a_visitor_to_sign_in(client, lead, name):
    url = reverse(f"reviews:{name}")
    assert client.get(url).status_code == 302
    client.force_login(lead)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not SpotCheck.objects.exists()


def test_the_api_does_what_the_pages_do(committee, lead, user_factory, totp_code):
    app = Client()
    reviewer = app_headers(app, lead)
    assert app.post(f"{BASE}/staff/spotchecks", **reviewer).status_code == 403
    assert app.get(f"{BASE}/staff/reviewers", **reviewer).status_code == 403
    staff = app_headers(Client(), committee, totp_code=totp_code)
    drawn = app.post(f"{BASE}/staff/spotchecks", **staff)
    assert drawn.status_code == 201
    body = drawn.json()
    assert body["selected"] == SpotCheck.objects.get().selected and len(body["seed"]) == 64
    review = body["reviews"][0]
    assert {k: len(v) for k, v in review["sample"].items()} == {"1": 2, "2": 2}
    verify = app.get(f"{BASE}/staff/spotchecks/{body['id']}/verify", **staff).json()
    assert verify["matches"] and verify["recomputed"] == body["selected"]

    item_id = review["sample"]["1"][0]
    refused = app.put(f"{BASE}/staff/spotchecks/reviews/{review['id']}/items/{item_id}",
                      **as_json({"verdict": N, "reason": ""}), **staff)
    assert refused.status_code == 400
    judged = app.put(f"{BASE}/staff/spotchecks/reviews/{review['id']}/items/{item_id}",
                     **as_json({"verdict": N, "reason": "未见审批记录"}), **staff)
    assert judged.status_code == 200
    assert judged.json()["finding"]["reviewers"] == [lead.pk]
    assert judged.json()["team"][0]["reviewer_id"] == lead.pk
    sample = app.get(f"{BASE}/staff/spotchecks/reviews/{review['id']}/sample", **staff).json()
    assert [row["committee"] is not None for row in sample].count(True) == 1
    (finding,) = app.get(f"{BASE}/staff/spotchecks/{body['id']}/findings", **staff).json()
    incomplete = app.post(f"{BASE}/staff/spotchecks/{body['id']}/complete",
                          **as_json({"outcome": "完成"}), **staff)
    assert incomplete.status_code == 400

    sanctioned = app.post(f"{BASE}/staff/reviewers/{lead.pk}/sanctions",
                          **as_json({"action": "suspend", "reason": "判断与证据不符",
                                     "findings": [finding["id"]]}), **staff)
    assert sanctioned.status_code == 201
    assert sanctioned.json()["credential_status"] == CredentialStatus.SUSPENDED
    record = app.get(f"{BASE}/record", **reviewer).json()
    assert record["agreement"] == {"checked": 1, "agreed": 0, "rate": "0/1", "percent": "0.0%"}
    assert record["completed"] == 0  # the review a sanction found them wrong on
    sanction_id = record["sanctions"][0]["id"]
    appealed = app.post(f"{BASE}/sanctions/{sanction_id}/appeal",
                        **as_json({"reason": "证据在附件第3页"}), **reviewer)
    assert appealed.status_code == 201
    other = app_headers(Client(), reviewer_with_login(name_zh="李评审"))
    assert app.post(f"{BASE}/sanctions/{sanction_id}/appeal",
                    **as_json({"reason": "x"}), **other).status_code == 404
    appeal_id = appealed.json()["appeals"][0]["id"]
    # The member who imposed it does not resolve it; a colleague does.
    assert app.post(f"{BASE}/staff/appeals/{appeal_id}/resolve",
                    **as_json({"upheld": True, "resolution": "认可"}), **staff).status_code == 400
    colleague = user_factory(roles=["expert_committee"], is_staff=True)
    other_staff = app_headers(Client(), colleague, totp_code=totp_code)
    resolved = app.post(f"{BASE}/staff/appeals/{appeal_id}/resolve",
                        **as_json({"upheld": True, "resolution": "认可"}), **other_staff)
    assert resolved.status_code == 200
    assert resolved.json()["state"] == SanctionState.REVERSED
    assert resolved.json()["credential_status"] == CredentialStatus.ACTIVE
    assert SpotCheckJudgement.objects.count() == 1
    assert selectors.reviewer_record(lead).completed == 1
