"""The expert committee's pages: the consolidated reviews to decide, and one review's decision
with the team's module table."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..forms import DecisionForm
from ..models import ProjectState, ReviewProject

DECIDE_PERM = "reviews.decide_project"


@staff_view(DECIDE_PERM)
def staff_decisions(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reviews/staff_decisions.html",
                  {"projects": selectors.projects_consolidated()})


@staff_view(DECIDE_PERM)
def staff_decision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A review's team, recommendation and per-module rates; a committee member who was not on
    the team accepts the recommendation or not, with a reason."""
    project = get_object_or_404(
        ReviewProject.objects.select_related("organisation", "standard_version",
                                             "consolidated_by", "decided_by"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_decide(project=project, by=request.user,
                                    accepts=form.cleaned_data["accepts"],
                                    reason=form.cleaned_data["reason"])
        except services.ReviewError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The decision is recorded; the team and the "
                                        "certification admins are emailed."))
            return redirect("reviews:staff_decision", pk=project.pk)
    return render(request, "reviews/staff_decision.html", {
        "project": project, "form": form,
        "checklist": selectors.project_checklist(project),
        "team": selectors.team_drawn_members(project),
        "on_team": selectors.project_was_on_team(project, request.user),
        "decidable": project.state == ProjectState.CONSOLIDATED,
    })
