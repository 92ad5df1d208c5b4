"""The draw through the API, as on the page: the admin sees the pool and who is excluded and
why, runs the draw and verifies it; too small a pool refuses with the reason; reviewers and the
committee cannot run a draw, and the committee can verify one."""

from __future__ import annotations

import pytest

from reviews.models import Draw, TeamMember

from .conftest import make_reviewer

pytestmark = pytest.mark.django_db
API = "/api/v1/reviews"


@pytest.fixture
def drawable(project_factory, organisation_factory):
    applicant = organisation_factory(name="申请方")
    reviewers = [make_reviewer(employer=organisation_factory(), reviews=2, name_zh=f"评审{n}")
                 for n in range(5)]
    conflicted = make_reviewer(employer=applicant, name_zh="本单位员工")
    return project_factory(organisation=applicant), reviewers, conflicted


def test_the_admin_runs_and_verifies_a_draw_through_the_api(client, cert_admin, drawable,
                                                              user_factory):
    project, reviewers, conflicted = drawable
    client.force_login(cert_admin)
    before = client.get(f"{API}/staff/projects/{project.pk}/draw").json()
    assert before["pool_size"] == 5 and before["draws"] == [] and before["team"] == []
    (excluded,) = before["exclusions"]
    assert excluded["reviewer_id"] == conflicted.pk
    assert any("利益冲突" in reason for reason in excluded["reasons"])

    ran = client.post(f"{API}/staff/projects/{project.pk}/draw")
    assert ran.status_code == 200
    body = ran.json()
    draw = Draw.objects.get(project=project)
    assert body["state"] == "team_drawn" and [d["seed"] for d in body["draws"]] == [draw.seed]
    assert sorted(m["reviewer_id"] for m in body["team"]) == sorted(draw.team)
    assert [m["role"] for m in body["team"]].count("lead") == 1
    assert set(draw.team) <= {r.pk for r in reviewers}
    assert client.post(f"{API}/staff/projects/{project.pk}/draw").status_code == 400

    committee = user_factory(roles=["expert_committee"], is_staff=True)
    client.force_login(committee)
    assert client.post(f"{API}/staff/projects/{project.pk}/draw").status_code == 403
    check = client.get(f"{API}/staff/draws/{draw.pk}/verify").json()
    assert check["matches"] is True
    assert check["recomputed_team"] == check["stored_team"] == draw.team
    assert check["recomputed_lead_id"] == draw.lead_id

    drawn = TeamMember.objects.filter(project=project).first().reviewer
    client.force_login(drawn)
    assert client.get(f"{API}/staff/projects/{project.pk}/draw").status_code == 403
    assert client.get(f"{API}/staff/draws/{draw.pk}/verify").status_code == 403


def test_too_small_a_pool_is_refused_through_the_api_with_the_reason(client, cert_admin,
                                                                    project_factory):
    project = project_factory()
    make_reviewer(reviews=2)
    client.force_login(cert_admin)
    refused = client.post(f"{API}/staff/projects/{project.pk}/draw")
    assert refused.status_code == 400 and "只剩 1 名" in refused.json()["detail"]
    assert not Draw.objects.exists()
    assert client.get(f"{API}/staff/projects/999999/draw").status_code == 404
