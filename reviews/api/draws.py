"""The draw through the API: a project's pool and exclusions, running its draw, and verifying a
stored draw by recomputing it. Certification admins run draws; they and the expert committee
verify them, as on the pages (reviews/views/draws.py); they fill a place the frozen pool could
not replace. A reviewer's decline is in judgement.py
(`POST /projects/{id}/decline`)."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..models import Draw, ReviewProject, TeamMember
from ..views.draws import RUN_DRAW_PERM, VERIFY_DRAW_PERM

router = Router(tags=["reviews"])


class ExclusionOut(Schema):
    reviewer_id: int
    name: str
    reasons: list[str]


class TeamMemberOut(Schema):
    reviewer_id: int
    name: str
    role: str
    state: str


class DrawOut(Schema):
    id: int
    kind: str
    seed: str
    pool: list[int]
    team: list[int]
    lead_id: int | None
    reason: str
    created_at: datetime.datetime


class DrawOverviewOut(Schema):
    project_id: int
    state: str
    pool_size: int
    exclusions: list[ExclusionOut]
    team: list[TeamMemberOut]
    draws: list[DrawOut]


class DrawCheckOut(Schema):
    draw_id: int
    matches: bool
    stored_team: list[int]
    stored_lead_id: int | None
    recomputed_team: list[int]
    recomputed_lead_id: int | None


def _draw_out(draw: Draw) -> DrawOut:
    return DrawOut(id=draw.pk, kind=draw.kind, seed=draw.seed, pool=draw.pool, team=draw.team,
                   lead_id=draw.lead_id, reason=draw.reason, created_at=draw.created_at)


def _overview(project: ReviewProject) -> DrawOverviewOut:
    overview = selectors.project_draw_overview(project, today=timezone.localdate())
    return DrawOverviewOut(
        project_id=project.pk, state=project.state, pool_size=overview.pool_size,
        exclusions=[ExclusionOut(reviewer_id=row.reviewer.pk, name=row.reviewer.display_name,
                                 reasons=row.reasons) for row in overview.exclusions],
        team=[TeamMemberOut(reviewer_id=member.reviewer_id, name=member.reviewer.display_name,
                        role=member.role, state=member.state)
              for member in selectors.project_team(project)],
        draws=[_draw_out(draw) for draw in selectors.project_draws(project)],
    )


@router.get("/staff/projects/{project_id}/draw",
            response={200: DrawOverviewOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def staff_project_draw(request: AuthenticatedHttpRequest, project_id: int) -> Status:
    """The pool as it stands (or as frozen by the draw), who is excluded and why, the team and
    every draw and redraw with its seed."""
    permission_check(request, RUN_DRAW_PERM)
    return Status(200, _overview(get_object_or_404(ReviewProject, pk=project_id)))


@router.post("/staff/projects/{project_id}/draw",
             response={200: DrawOverviewOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_project_draw_run(request: AuthenticatedHttpRequest, project_id: int) -> Status:
    """Run the draw of an accepted project: the pool is frozen, the seed stored, the team and
    its lead drawn, audited and emailed. A pool too small refuses with the reason."""
    permission_check(request, RUN_DRAW_PERM)
    project = get_object_or_404(ReviewProject, pk=project_id)
    try:
        services.draw_run(project=project, by=request.user)
    except services.ReviewError as error:
        return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))
    project.refresh_from_db()
    return Status(200, _overview(project))


@router.post("/staff/team/{member_id}/fill",
             response={200: DrawOverviewOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_vacancy_fill(request: AuthenticatedHttpRequest, member_id: int) -> Status:
    """Fill a declined place the frozen pool could not replace: one reviewer drawn, in the
    same role, from the eligible pool as it stands (a refusal is a 400 with the reason)."""
    permission_check(request, RUN_DRAW_PERM)
    member = get_object_or_404(TeamMember, pk=member_id)
    try:
        services.vacancy_fill(member=member, by=request.user)
    except services.ReviewError as error:
        return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))
    return Status(200, _overview(ReviewProject.objects.get(pk=member.project_id)))


@router.get("/staff/draws/{draw_id}/verify",
            response={200: DrawCheckOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def staff_draw_verify(request: AuthenticatedHttpRequest, draw_id: int) -> Status:
    """Recompute a stored draw from its frozen pool and seed: the same team, or not."""
    permission_check(request, VERIFY_DRAW_PERM)
    check = services.draw_verify(get_object_or_404(Draw, pk=draw_id))
    return Status(200, DrawCheckOut(
        draw_id=draw_id, matches=check.matches, stored_team=check.draw.team,
        stored_lead_id=check.draw.lead_id, recomputed_team=list(check.recomputed.team),
        recomputed_lead_id=check.recomputed.lead))
