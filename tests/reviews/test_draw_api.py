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


def test_a_place_the_frozen_pool_cannot_fill_is_filled_from_the_pool_as_it_stands(
        client, cert_admin, project_factory, organisation_factory, mailoutbox,
        django_capture_on_commit_callbacks):
    from core.models import AuditEntry
    from reviews import services
    from reviews.models import DrawKind, MemberState

    project = project_factory()
    for n in range(3):  # exactly a team: a decline finds no one left in the frozen pool
        make_reviewer(employer=organisation_factory(), reviews=2, name_zh=f"评审{n}")
    draw = services.draw_run(project=project, by=cert_admin)
    member = TeamMember.objects.get(project=project, reviewer_id=draw.team[1])
    assert services.team_member_decline(member=member, reason="出差") is None
    client.force_login(cert_admin)
    page = client.get(f"/reviews/staff/projects/{project.pk}/draw/").content.decode()
    assert 'data-testid="vacancies"' in page and "出差" in page

    # No one eligible yet: refused with the reason (on the page and through the API).
    refused = client.post(f"/reviews/staff/team/{member.pk}/fill/", follow=True)
    assert refused.redirect_chain[-1][0] == f"/reviews/staff/projects/{project.pk}/draw/"
    assert 'data-testid="vacancies"' in refused.content.decode()
    assert client.post(f"{API}/staff/team/{member.pk}/fill").status_code == 400
    assert not Draw.objects.filter(replaces=member).exists()
    newcomer = make_reviewer(employer=organisation_factory(), name_zh="新评审")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        filled = client.post(f"{API}/staff/team/{member.pk}/fill")
    assert filled.status_code == 200
    drawn = TeamMember.objects.get(project=project, reviewer=newcomer)
    assert drawn.state == MemberState.DRAWN and drawn.role == member.role
    supplement = Draw.objects.get(replaces=member)
    assert supplement.kind == DrawKind.REDRAW and newcomer.pk in supplement.pool
    assert [m.to for m in mailoutbox] == [[newcomer.email]]
    assert AuditEntry.objects.filter(action="reviews.draw.vacancy_filled").count() == 1
    check = client.get(f"{API}/staff/draws/{supplement.pk}/verify").json()
    assert check["matches"] is True and check["recomputed_team"] == [newcomer.pk]
    # Filled once: the place is no longer vacant.
    assert client.post(f"{API}/staff/team/{member.pk}/fill").status_code == 400
    page = client.get(f"/reviews/staff/projects/{project.pk}/draw/").content.decode()
    assert 'data-testid="vacancies"' not in page
