"""The certification admin's draw page and the verify view; a reviewer declines their own place."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models import Draw, MemberState, TeamMember

from .conftest import make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawable(project_factory, organisation_factory):
    applicant = organisation_factory(name="申请方")
    reviewers = [make_reviewer(employer=organisation_factory(), reviews=2, name_zh=f"评审{n}")
                 for n in range(5)]
    conflicted = make_reviewer(employer=applicant, name_zh="本单位员工")
    return project_factory(organisation=applicant), reviewers, conflicted


def test_the_admin_sees_the_pool_and_the_excluded_then_runs_the_draw_and_verifies_it(
        client, cert_admin, drawable):
    project, _reviewers, _conflicted = drawable
    client.force_login(cert_admin)
    url = reverse("reviews:staff_project_draw", args=[project.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="pool-size">5<' in page
    assert "本单位员工" in page and "利益冲突范围内的组织" in page
    response = client.post(url)
    assert response.status_code == 302
    draw = Draw.objects.get(project=project)
    page = client.get(url).content.decode()
    assert "评审组已抽选" in page and "评审组长" in page
    for member in TeamMember.objects.filter(project=project):
        assert member.reviewer.name_zh in page
    verify = client.get(reverse("reviews:draw_verify", args=[draw.pk])).content.decode()
    assert "一致：" in verify and draw.seed in verify
    positions = [verify.index(f"(#{reviewer_id})") for reviewer_id in draw.team]
    assert positions == sorted(positions)  # the same team, in the same order


def test_a_draw_that_cannot_be_made_says_why(client, cert_admin, project_factory):
    project = project_factory()
    make_reviewer(reviews=2)
    client.force_login(cert_admin)
    response = client.post(reverse("reviews:staff_project_draw", args=[project.pk]), follow=True)
    assert "只剩 1 名" in response.content.decode()
    assert not Draw.objects.exists()


def test_a_reviewer_declines_their_own_place_with_a_reason(client, cert_admin, drawable):
    from reviews import services

    project, _reviewers, _conflicted = drawable
    draw = services.draw_run(project=project, by=cert_admin)
    member = TeamMember.objects.get(project=project, reviewer_id=draw.team[1])
    other = TeamMember.objects.get(project=project, reviewer_id=draw.team[2])
    client.force_login(member.reviewer)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "申请方" in page and "谢绝" in page
    # Someone else's place is not theirs to decline.
    assert client.post(reverse("reviews:decline", args=[other.pk]),
                       {"reason": "x"}).status_code == 404
    response = client.post(reverse("reviews:decline", args=[member.pk]), {"reason": "出差在外"},
                           follow=True)
    assert "系统将重抽替补" in response.content.decode()
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.state == MemberState.DECLINED and member.decline_reason == "出差在外"
    assert other.state == MemberState.DRAWN
    assert TeamMember.objects.filter(project=project, state=MemberState.DRAWN).count() == 3


def test_the_draw_pages_refuse_a_reviewer(client, drawable):
    project, reviewers, _conflicted = drawable
    client.force_login(reviewers[0])
    assert client.get(reverse("reviews:staff_project_draw", args=[project.pk])).status_code == 403


def test_the_admin_list_of_projects_links_each_to_its_draw_page(client, cert_admin, drawable):
    project, _reviewers, _conflicted = drawable
    client.force_login(cert_admin)
    page = client.get("/django-admin/reviews/reviewproject/").content.decode()
    assert reverse("reviews:staff_project_draw", args=[project.pk]) in page


def test_a_drawn_reviewer_sees_the_review_on_their_dashboard(client, cert_admin, drawable):
    from reviews import services

    project, reviewers, _conflicted = drawable
    draw = services.draw_run(project=project, by=cert_admin)
    drawn = TeamMember.objects.get(project=project, reviewer_id=draw.team[0]).reviewer
    client.force_login(drawn)
    dashboard = client.get("/me/").content.decode()
    assert 'data-testid="reviews-panel"' in dashboard and "申请方" in dashboard
    assert f'href="{reverse("reviews:project", args=[project.pk])}"' in dashboard
    not_drawn = next(r for r in reviewers if r.pk not in draw.team)
    client.force_login(not_drawn)
    assert 'data-testid="reviews-panel"' not in client.get("/me/").content.decode()


def test_the_admin_reads_the_review_records_services_write_and_changes_none(
        client, user_factory):
    root = user_factory(is_staff=True, is_superuser=True)
    client.force_login(root)
    for model in ("kpidataset", "kpicheck", "spotcheck", "finding", "sanction",
                  "sanctionappeal", "reviewerfee"):
        assert client.get(f"/django-admin/reviews/{model}/").status_code == 200, model
        assert client.get(f"/django-admin/reviews/{model}/add/").status_code == 403, model
    # Files of evidence are viewed through the watermarking viewer only, never the admin.
    for model in ("evidencefile", "evidenceversion", "kpisource", "onsiterecord"):
        assert client.get(f"/django-admin/reviews/{model}/").status_code == 404, model
