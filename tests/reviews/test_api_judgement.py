"""The reviewer's API, as the on-site phone app calls it: projects, the agreement, the
checklist and judgements, the lead's final judgements and consolidation, the committee's
decision. The pages' permissions: 404 off the team, 403 before the agreement."""

from __future__ import annotations

import pytest
from django.test import Client

from cms.models import StandardItem
from reviews.models import (
    AgreementAcceptance,
    MemberState,
    ProjectState,
    TeamMember,
    TeamRole,
    Verdict,
)
from tests.app_token import app_headers, as_json

from .team import (
    agreement_publish,
    lead_of,
    project_drawn,
    reviewer_with_login,
    sign,
    team,
    version_make,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/reviews"


@pytest.fixture
def app():
    return Client()


@pytest.fixture
def version(home_page):
    return version_make(modules=[1, 2], items=2)


@pytest.fixture
def drawn(version):
    agreement_publish()
    return project_drawn(version=version)


def _items(version):
    return list(StandardItem.objects.filter(module__path__startswith=version.path)
                .order_by("module__number", "sort_order", "pk"))


def test_a_reviewer_signs_and_judges_through_the_api(app, drawn, version):
    members = team(drawn)
    for member in members[1:]:
        sign(member)
    member = members[0]
    headers = app_headers(app, member.reviewer)
    (listed,) = app.get(f"{BASE}/projects", **headers).json()
    assert listed["id"] == drawn.pk and listed["agreement_accepted"] is False
    assert app.get(f"{BASE}/projects/{drawn.pk}/checklist", **headers).status_code == 403
    agreement = app.get(f"{BASE}/projects/{drawn.pk}/agreement", **headers).json()
    assert agreement["current"]["number"] == 1 and agreement["acceptance"] is None
    wrong = app.post(f"{BASE}/projects/{drawn.pk}/agreement",
                     **as_json({"full_name": "冒名", "no_conflict": True}), **headers)
    assert wrong.status_code == 400 and "姓名" in wrong.json()["detail"]
    unchecked = app.post(f"{BASE}/projects/{drawn.pk}/agreement",
                         **as_json({"full_name": member.reviewer.name_zh,
                                    "no_conflict": False}), **headers)
    assert unchecked.status_code == 400 and not AgreementAcceptance.objects.filter(
        member=member).exists()
    signed = app.post(f"{BASE}/projects/{drawn.pk}/agreement",
                      **as_json({"full_name": member.reviewer.name_zh, "no_conflict": True}),
                      **headers)
    assert signed.status_code == 201 and signed.json()["version"] == 1
    assert app.get(f"{BASE}/projects/{drawn.pk}", **headers).json()["state"] == \
        ProjectState.DOCUMENT_REVIEW

    checklist = app.get(f"{BASE}/projects/{drawn.pk}/checklist", **headers).json()
    assert [m["number"] for m in checklist["modules"]] == [1, 2]
    first = checklist["modules"][0]
    assert first["mine"]["judged"] == 0 and first["mine"]["total"] == 2
    assert first["mine"]["pass_rate"] == "90.00"
    item_id = first["items"][0]["id"]
    no_reason = app.put(f"{BASE}/projects/{drawn.pk}/judgements/{item_id}",
                        **as_json({"verdict": Verdict.CONFORMS, "reason": ""}), **headers)
    assert no_reason.status_code == 400
    saved = app.put(f"{BASE}/projects/{drawn.pk}/judgements/{item_id}",
                    **as_json({"verdict": Verdict.CONFORMS, "reason": "制度文件齐全"}), **headers)
    assert saved.status_code == 200 and saved.json()["verdict"] == Verdict.CONFORMS
    again = app.get(f"{BASE}/projects/{drawn.pk}/checklist", **headers).json()
    assert again["modules"][0]["mine"]["judged"] == 1
    assert again["modules"][0]["items"][0]["mine"]["reason"] == "制度文件齐全"
    foreign = app.put(f"{BASE}/projects/{drawn.pk}/judgements/999999",
                      **as_json({"verdict": Verdict.CONFORMS, "reason": "x"}), **headers)
    assert foreign.status_code == 404


def test_the_project_is_404_to_anyone_not_on_the_team(app, drawn, version):
    headers = app_headers(app, reviewer_with_login(name_zh="局外人"))
    for path in ("", "/agreement", "/checklist", "/final"):
        assert app.get(f"{BASE}/projects/{drawn.pk}{path}", **headers).status_code == 404, path
    item_id = _items(version)[0].pk
    assert app.put(f"{BASE}/projects/{drawn.pk}/judgements/{item_id}",
                   **as_json({"verdict": Verdict.CONFORMS, "reason": "x"}),
                   **headers).status_code == 404
    assert app.post(f"{BASE}/projects/{drawn.pk}/agreement",
                    **as_json({"full_name": "局外人", "no_conflict": True}),
                    **headers).status_code == 404


def test_refusing_through_the_api_is_a_decline(app, drawn):
    member = team(drawn)[0]
    headers = app_headers(app, member.reviewer)
    response = app.post(f"{BASE}/projects/{drawn.pk}/decline",
                        **as_json({"reason": "与受评审方存在利益冲突"}), **headers)
    assert response.json() == {"declined": True, "replacement_drawn": False}
    member.refresh_from_db()
    assert member.state == MemberState.DECLINED


def test_the_lead_records_final_judgements_and_consolidates_then_the_committee_decides(
        app, drawn, version, user_factory, totp_code):
    for member in team(drawn):
        sign(member)
    lead = lead_of(drawn)
    other = TeamMember.objects.filter(project=drawn, role=TeamRole.MEMBER).first()
    items = _items(version)
    member_headers = app_headers(app, other.reviewer)
    app.put(f"{BASE}/projects/{drawn.pk}/judgements/{items[0].pk}",
            **as_json({"verdict": Verdict.NOT_CONFORMS, "reason": "缺记录"}), **member_headers)
    assert app.get(f"{BASE}/projects/{drawn.pk}/final", **member_headers).status_code == 404
    assert app.put(f"{BASE}/projects/{drawn.pk}/final/{items[0].pk}",
                   **as_json({"verdict": Verdict.CONFORMS, "reason": "x"}),
                   **member_headers).status_code == 404

    headers = app_headers(app, lead.reviewer)
    app.put(f"{BASE}/projects/{drawn.pk}/judgements/{items[0].pk}",
            **as_json({"verdict": Verdict.CONFORMS, "reason": "有记录"}), **headers)
    final = app.get(f"{BASE}/projects/{drawn.pk}/final", **headers).json()
    disputed = final["modules"][0]["items"][0]
    assert disputed["disagreement"] is True
    assert sorted(j["verdict"] for j in disputed["team"]) == [Verdict.CONFORMS,
                                                             Verdict.NOT_CONFORMS]
    early = app.post(f"{BASE}/projects/{drawn.pk}/consolidate", **headers)
    assert early.status_code == 400
    for item in items:
        assert app.put(f"{BASE}/projects/{drawn.pk}/final/{item.pk}",
                       **as_json({"verdict": Verdict.CONFORMS, "reason": "组内一致"}),
                       **headers).status_code == 200
    done = app.post(f"{BASE}/projects/{drawn.pk}/consolidate", **headers).json()
    assert done["state"] == ProjectState.CONSOLIDATED and done["recommendation"] == "certify"

    committee = user_factory(roles=["expert_committee"], is_staff=True)
    staff = app_headers(app, committee, totp_code=totp_code)
    (waiting,) = app.get(f"{BASE}/staff/decisions", **staff).json()
    assert waiting["id"] == drawn.pk
    table = app.get(f"{BASE}/staff/projects/{drawn.pk}/decision", **staff).json()
    assert [m["final"]["passes"] for m in table["modules"]] == [True, True]
    decided = app.post(f"{BASE}/staff/projects/{drawn.pk}/decision",
                       **as_json({"accepts": True, "reason": "同意"}), **staff)
    assert decided.status_code == 200 and decided.json()["state"] == ProjectState.CERTIFICATE_ISSUED
    refused = app.post(f"{BASE}/staff/projects/{drawn.pk}/decision",
                       **as_json({"accepts": True, "reason": "再次"}), **staff)
    assert refused.status_code == 400
