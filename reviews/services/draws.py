"""Running a draw, a decline and its redraw, and checking a stored draw."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import audit_record, email_send_templated

from .. import selectors
from ..conf import setting
from ..draw import DrawResult, draw_team, seed_new
from ..errors import ReviewError
from ..models import (
    Draw,
    DrawKind,
    MemberState,
    ProjectState,
    ReviewProject,
    TeamMember,
    TeamRole,
)


def _email_drawn(member: TeamMember) -> None:
    reviewer = member.reviewer
    email_send_templated(
        to=[reviewer.email], template_prefix="reviews/email/team_drawn",
        language=reviewer.language,
        context={"member": member, "project": member.project, "reviewer": reviewer,
                 "site_url": settings.SITE_URL.rstrip("/")},
    )


def _members_create(*, project: ReviewProject, draw: Draw) -> list[TeamMember]:
    reviewers = selectors.users_by_id(draw.team)
    members = TeamMember.objects.bulk_create([
        TeamMember(project=project, reviewer=reviewers[reviewer_id], draw=draw,
                   role=TeamRole.LEAD if reviewer_id == draw.lead_id else TeamRole.MEMBER)
        for reviewer_id in draw.team
    ])
    for member in members:
        _email_drawn(member)
    return members


@transaction.atomic
def draw_run(*, project: ReviewProject, by: User | None, now: dt.datetime | None = None) -> Draw:
    """Freeze the eligible pool, generate and store a seed, draw the team and its lead, create
    the team, audit it and email each drawn reviewer. Only an accepted project without a team
    is drawn; a pool smaller than the team, or with no one qualified to lead, refuses."""
    now = now or timezone.now()
    project = ReviewProject.objects.select_for_update().get(pk=project.pk)
    if project.state != ProjectState.ACCEPTED or project.draws.exists():
        raise ReviewError(_("Only an accepted project whose team has not been drawn can be "
                            "drawn."))
    pool = selectors.eligible_pool(project, today=timezone.localdate(now))
    qualified = selectors.qualified_to_lead(pool.eligible)
    seed = seed_new()
    team_size = setting("REVIEWS_TEAM_SIZE")
    result = draw_team(pool=pool.eligible, seed=seed, team_size=team_size, qualified=qualified)
    draw = Draw.objects.create(
        project=project, kind=DrawKind.DRAW, pool=pool.eligible, qualified=qualified,
        exclusions={str(k): v for k, v in sorted(pool.excluded.items())}, seed=seed,
        team_size=team_size, draws_lead=True, lead_rule=selectors.lead_rule_text(),
        team=list(result.team), lead_id=result.lead, created_by=by, created_at=now,
    )
    _members_create(project=project, draw=draw)
    project.state = ProjectState.TEAM_DRAWN
    project.save(update_fields=["state", "updated_at"])
    audit_record(actor=by, action="reviews.draw.run", target=project, data={
        "draw": draw.pk, "seed": seed, "pool_size": len(pool.eligible), "team": draw.team,
        "lead": draw.lead_id,
    })
    return draw


@transaction.atomic
def team_member_decline(*, member: TeamMember, reason: str,
                        now: dt.datetime | None = None) -> Draw | None:
    """The reviewer declines, with a reason; one replacement is drawn from the rest of the
    project's frozen pool (never anyone drawn or declined before), in the same role: a lead is
    replaced by someone qualified to lead. Returns the redraw, or None when the frozen pool has
    no one left (the decline stands; the admins see the team short and it is audited)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Say why you decline: the reason is kept with the project."))
    project = ReviewProject.objects.select_for_update().get(pk=member.project_id)
    member = TeamMember.objects.select_related("reviewer").get(pk=member.pk)
    if member.state != MemberState.DRAWN:
        raise ReviewError(_("This place on the team has already been declined."))
    if project.state not in (ProjectState.TEAM_DRAWN, ProjectState.ACCEPTED):
        raise ReviewError(_("The review has started: ask the certification admins."))
    member.state = MemberState.DECLINED
    member.decline_reason = reason
    member.declined_at = now
    member.save(update_fields=["state", "decline_reason", "declined_at"])
    audit_record(actor=member.reviewer, action="reviews.member.declined", target=project,
                 reason=reason, data={"reviewer": member.reviewer_id, "role": member.role})
    first = selectors.project_first_draw(project)
    assert first is not None
    already = sorted(project.members.values_list("reviewer_id", flat=True))
    draws_lead = member.role == TeamRole.LEAD
    seed = seed_new()
    try:
        result = draw_team(pool=first.pool, seed=seed, team_size=1, qualified=first.qualified,
                           draws_lead=draws_lead, exclude=already)
    except ReviewError as error:
        audit_record(actor=member.reviewer, action="reviews.redraw.exhausted", target=project,
                     reason=" ".join(error.messages), data={"declined": member.reviewer_id})
        return None
    draw = Draw.objects.create(
        project=project, kind=DrawKind.REDRAW, pool=first.pool, qualified=first.qualified,
        excluded=already, seed=seed, team_size=1, draws_lead=draws_lead,
        lead_rule=first.lead_rule, team=list(result.team), lead_id=result.lead,
        reason=reason, replaces=member, created_by=None, created_at=now,
    )
    (replacement,) = _members_create(project=project, draw=draw)
    audit_record(actor=None, action="reviews.draw.redrawn", target=project, reason=reason, data={
        "draw": draw.pk, "seed": seed, "declined": member.reviewer_id,
        "replacement": replacement.reviewer_id, "excluded": already,
    })
    return draw


@transaction.atomic
def vacancy_fill(*, member: TeamMember, by: User, now: dt.datetime | None = None) -> Draw:
    """A certification admin fills a place whose decline found no one left in the frozen pool:
    one reviewer is drawn, in the same role, from the eligible pool as it stands now (every
    exclusion applied again; everyone already on or declined from the team left out), stored as
    a redraw with its own pool and seed (recomputed like any draw), audited and emailed."""
    now = now or timezone.now()
    project = ReviewProject.objects.select_for_update().get(pk=member.project_id)
    member = TeamMember.objects.get(pk=member.pk)
    if member.state != MemberState.DECLINED or project.draws.filter(replaces=member).exists():
        raise ReviewError(_("Only a declined place that no one has replaced can be filled."))
    if project.state != ProjectState.TEAM_DRAWN:
        raise ReviewError(_("The review has started: its team no longer changes."))
    pool = selectors.eligible_pool(project, today=timezone.localdate(now))
    qualified = selectors.qualified_to_lead(pool.eligible)
    already = sorted(project.members.values_list("reviewer_id", flat=True))
    draws_lead = member.role == TeamRole.LEAD
    seed = seed_new()
    result = draw_team(pool=pool.eligible, seed=seed, team_size=1, qualified=qualified,
                       draws_lead=draws_lead, exclude=already)
    draw = Draw.objects.create(
        project=project, kind=DrawKind.REDRAW, pool=pool.eligible, qualified=qualified,
        excluded=already, exclusions={str(k): v for k, v in sorted(pool.excluded.items())},
        seed=seed, team_size=1, draws_lead=draws_lead, lead_rule=selectors.lead_rule_text(),
        team=list(result.team), lead_id=result.lead,
        reason=_("The frozen pool had no one left: drawn from the eligible pool as it stands."),
        replaces=member, created_by=by, created_at=now,
    )
    (replacement,) = _members_create(project=project, draw=draw)
    audit_record(actor=by, action="reviews.draw.vacancy_filled", target=project, data={
        "draw": draw.pk, "seed": seed, "pool_size": len(pool.eligible),
        "declined": member.reviewer_id, "replacement": replacement.reviewer_id,
        "excluded": already,
    })
    return draw


@dataclass(frozen=True)
class DrawCheck:
    draw: Draw
    recomputed: DrawResult
    matches: bool


def draw_verify(draw: Draw) -> DrawCheck:
    """Recompute the draw from what it stored (pool, seed, team size, lead rule's qualified
    set, those left out) and compare with the team it recorded."""
    recomputed = draw_team(pool=draw.pool, seed=draw.seed, team_size=draw.team_size,
                           qualified=draw.qualified, draws_lead=draw.draws_lead,
                           exclude=draw.excluded)
    matches = list(recomputed.team) == list(draw.team) and recomputed.lead == draw.lead_id
    return DrawCheck(draw=draw, recomputed=recomputed, matches=matches)
