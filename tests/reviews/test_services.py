"""Running a draw, declining and the redraw, verifying a stored draw."""

from __future__ import annotations

import pytest

from core.models import AuditEntry
from reviews import services
from reviews.models import Draw, DrawKind, MemberState, ProjectState, TeamMember, TeamRole

from .conftest import NOW, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_with_pool(project_factory, organisation_factory):
    elsewhere = organisation_factory(name="别处")
    reviewers = [make_reviewer(employer=elsewhere, reviews=2 if n < 3 else 0,
                               language="en" if n % 2 else "zh-hans") for n in range(7)]
    return project_factory(), reviewers


def test_a_draw_freezes_the_pool_stores_the_seed_forms_the_team_audits_and_emails(
        project_with_pool, cert_admin, mailoutbox, django_capture_on_commit_callbacks):
    project, reviewers = project_with_pool
    with django_capture_on_commit_callbacks(execute=True):
        draw = services.draw_run(project=project, by=cert_admin, now=NOW)
    project.refresh_from_db()
    assert project.state == ProjectState.TEAM_DRAWN
    assert draw.pool == sorted(r.pk for r in reviewers) and len(draw.seed) == 64
    assert draw.qualified == sorted(r.pk for r in reviewers[:3])
    members = list(TeamMember.objects.filter(project=project))
    assert sorted(m.reviewer_id for m in members) == sorted(draw.team) and len(members) == 3
    (lead,) = [m for m in members if m.role == TeamRole.LEAD]
    assert lead.reviewer_id == draw.lead_id and draw.lead_id in draw.qualified
    entry = AuditEntry.objects.get(action="reviews.draw.run")
    assert entry.actor == cert_admin and entry.data["seed"] == draw.seed
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.reviewer.email for m in members)
    for message in mailoutbox:
        person = next(m.reviewer for m in members if m.reviewer.email == message.to[0])
        if person.language == "en":
            assert "You are drawn to review" in message.subject
        else:
            assert "您被抽选" in message.subject


def test_recomputing_a_stored_draw_gives_the_same_team(project_with_pool, cert_admin):
    project, _reviewers = project_with_pool
    draw = services.draw_run(project=project, by=cert_admin, now=NOW)
    check = services.draw_verify(Draw.objects.get(pk=draw.pk))
    assert check.matches and list(check.recomputed.team) == draw.team
    Draw.objects.filter(pk=draw.pk).update(team=list(reversed(draw.team)))
    assert not services.draw_verify(Draw.objects.get(pk=draw.pk)).matches


def test_a_pool_smaller_than_the_team_refuses_and_nothing_is_written(project_factory,
                                                                     cert_admin, settings):
    project = project_factory()
    make_reviewer(reviews=3)
    make_reviewer()
    with pytest.raises(services.ReviewError, match="评审组需要 3 人，符合条件的评审员只剩 2 名"):
        services.draw_run(project=project, by=cert_admin, now=NOW)
    assert not Draw.objects.exists() and not TeamMember.objects.exists()
    project.refresh_from_db()
    assert project.state == ProjectState.ACCEPTED
    settings.REVIEWS_TEAM_SIZE = 2
    assert len(services.draw_run(project=project, by=cert_admin, now=NOW).team) == 2


def test_no_one_qualified_to_lead_refuses(project_factory, cert_admin):
    project = project_factory()
    for _n in range(4):
        make_reviewer(reviews=1)
    with pytest.raises(services.ReviewError, match="没有人具备担任组长的资格"):
        services.draw_run(project=project, by=cert_admin, now=NOW)


def test_only_an_accepted_project_is_drawn_and_only_once(project_with_pool, project_factory,
                                                         cert_admin):
    project, _reviewers = project_with_pool
    services.draw_run(project=project, by=cert_admin, now=NOW)
    with pytest.raises(services.ReviewError):
        services.draw_run(project=project, by=cert_admin, now=NOW)
    with pytest.raises(services.ReviewError):
        services.draw_run(project=project_factory(state=ProjectState.SUBMITTED), by=cert_admin,
                          now=NOW)


def test_a_decline_redraws_from_the_rest_of_the_frozen_pool(
        project_with_pool, cert_admin, mailoutbox, django_capture_on_commit_callbacks):
    project, _reviewers = project_with_pool
    first = services.draw_run(project=project, by=cert_admin, now=NOW)
    late_comer = make_reviewer(reviews=5)  # not in the frozen pool: never drawn
    seen = set(first.team)
    for _round in range(4):  # 7 in the pool, 3 drawn: four replacements, then none left
        member = TeamMember.objects.filter(project=project, state=MemberState.DRAWN,
                                           role=TeamRole.MEMBER).first()
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            redraw = services.team_member_decline(member=member, reason="出差", now=NOW)
        assert redraw is not None and redraw.kind == DrawKind.REDRAW
        (replacement,) = redraw.team
        assert replacement in first.pool and replacement not in seen
        assert replacement != late_comer.pk and redraw.lead_id is None
        assert redraw.replaces == member and sorted(redraw.excluded) == sorted(seen)
        assert services.draw_verify(redraw).matches
        assert [m.to for m in mailoutbox] == [[TeamMember.objects.get(
            project=project, reviewer_id=replacement).reviewer.email]]
        seen.add(replacement)
    member = TeamMember.objects.filter(project=project, state=MemberState.DRAWN,
                                       role=TeamRole.MEMBER).first()
    assert services.team_member_decline(member=member, reason="生病", now=NOW) is None
    member.refresh_from_db()
    assert member.state == MemberState.DECLINED and member.decline_reason == "生病"
    assert AuditEntry.objects.filter(action="reviews.redraw.exhausted").count() == 1
    assert AuditEntry.objects.filter(action="reviews.draw.redrawn").count() == 4
    assert AuditEntry.objects.filter(action="reviews.member.declined").count() == 5


def test_a_declining_lead_is_replaced_by_someone_qualified_to_lead(project_factory,
                                                                   organisation_factory,
                                                                   cert_admin):
    # Four of the seven may lead: however the first draw falls, one of them is left off the team.
    elsewhere = organisation_factory(name="别处")
    for n in range(7):
        make_reviewer(employer=elsewhere, reviews=2 if n < 4 else 0)
    project = project_factory()
    first = services.draw_run(project=project, by=cert_admin, now=NOW)
    lead = TeamMember.objects.get(project=project, role=TeamRole.LEAD)
    redraw = services.team_member_decline(member=lead, reason="利益冲突", now=NOW)
    assert redraw is not None and redraw.lead_id in first.qualified
    assert redraw.lead_id not in first.team
    assert TeamMember.objects.get(project=project, reviewer_id=redraw.lead_id).role == "lead"


def test_a_declining_lead_with_no_one_left_qualified_leaves_the_place_to_the_admins(
        project_factory, organisation_factory, cert_admin, settings):
    # A team of one, the lead: the only reviewer who may lead; the six others may not.
    settings.REVIEWS_TEAM_SIZE = 1
    elsewhere = organisation_factory(name="别处")
    for n in range(7):
        make_reviewer(employer=elsewhere, reviews=2 if n == 0 else 0)
    project = project_factory()
    services.draw_run(project=project, by=cert_admin, now=NOW)
    lead = TeamMember.objects.get(project=project, role=TeamRole.LEAD)
    assert services.team_member_decline(member=lead, reason="利益冲突", now=NOW) is None
    lead.refresh_from_db()
    assert lead.state == MemberState.DECLINED and lead.decline_reason == "利益冲突"
    assert AuditEntry.objects.filter(action="reviews.redraw.exhausted").count() == 1
    assert Draw.objects.filter(project=project).count() == 1  # no one drawn in the lead's place


def test_a_decline_needs_a_reason_and_happens_once(project_with_pool, cert_admin):
    project, _reviewers = project_with_pool
    services.draw_run(project=project, by=cert_admin, now=NOW)
    member = TeamMember.objects.filter(project=project).first()
    with pytest.raises(services.ReviewError, match="请说明谢绝的原因"):
        services.team_member_decline(member=member, reason="  ", now=NOW)
    services.team_member_decline(member=member, reason="出差", now=NOW)
    with pytest.raises(services.ReviewError, match="已被谢绝"):
        services.team_member_decline(member=member, reason="出差", now=NOW)
