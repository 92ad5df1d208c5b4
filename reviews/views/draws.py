"""The draw's pages: a project's draw, its verification, and the reviewer's own projects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..forms import DeclineForm
from ..models import Draw, MemberState, ProjectState, ReviewProject, TeamMember

RUN_DRAW_PERM = "reviews.run_draw"
VERIFY_DRAW_PERM = "reviews.verify_draw"


@staff_view(RUN_DRAW_PERM)
def staff_project_draw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A project's draw: the pool as it stands (or as frozen), who is excluded and why, the
    team and its lead; POST runs the draw."""
    project = get_object_or_404(
        ReviewProject.objects.select_related("organisation", "standard_version"), pk=pk)
    if request.method == "POST":
        try:
            services.draw_run(project=project, by=request.user)
        except services.ReviewError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The team has been drawn; each reviewer is emailed."))
            return redirect("reviews:staff_project_draw", pk=project.pk)
    overview = selectors.project_draw_overview(project, today=timezone.localdate())
    return render(request, "reviews/staff_project_draw.html", {
        "project": project, "draw": overview.draw, "pool_size": overview.pool_size,
        "exclusions": overview.exclusions, "team": selectors.project_team(project),
        "draws": selectors.project_draws(project),
        "vacancies": (selectors.project_vacancies(project)
                      if project.state == ProjectState.TEAM_DRAWN else []),
    })


@staff_view(RUN_DRAW_PERM)
@require_POST
def staff_vacancy_fill(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Fill a declined place the frozen pool could not replace, from the pool as it stands."""
    member = get_object_or_404(TeamMember, pk=pk)
    try:
        services.vacancy_fill(member=member, by=request.user)
    except services.ReviewError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The place is filled; the reviewer drawn is emailed."))
    return redirect("reviews:staff_project_draw", pk=member.project_id)


@staff_view(VERIFY_DRAW_PERM)
def draw_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Recompute a stored draw from its pool and seed and show the team it gives."""
    draw = get_object_or_404(Draw.objects.select_related("project__organisation"), pk=pk)
    check = services.draw_verify(draw)
    people = selectors.users_by_id(check.recomputed.team)
    return render(request, "reviews/draw_verify.html", {
        "draw": draw, "check": check,
        "team": [people[reviewer_id] for reviewer_id in check.recomputed.team],
    })


@login_required
def my_reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reviews/mine.html", {
        "memberships": selectors.memberships_of(request.user), "form": DeclineForm(),
        "drawn": MemberState.DRAWN,
    })


@login_required
@require_POST
def member_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(TeamMember, pk=pk, reviewer=request.user)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you decline: the reason is kept with the project."))
        return redirect("reviews:mine")
    try:
        services.team_member_decline(member=member, reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("You have declined; a replacement is drawn."))
    return redirect("reviews:mine")
