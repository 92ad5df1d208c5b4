"""A drawn reviewer's pages of a project: the project, the integrity agreement, the checklist by
module with progress, the item judgement form; the lead's final judgements and consolidation.

Only the project's drawn members open them (anyone else: 404); until a member has accepted the
agreement, nothing but the project page and the agreement opens (403, with the way to sign)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..forms import AgreementForm, DeclineForm, JudgementForm
from ..models import ONSITE_CAPTURE_STATES, ProjectState, TeamMember, TeamRole
from ..selectors import Checklist, ChecklistItem, ChecklistModule
from ..services.judgement import JUDGING_STATES


class AgreementFirst(Exception):
    """The member has not accepted the integrity agreement."""


def _member(request: AuthenticatedHttpRequest, pk: int) -> TeamMember:
    member = selectors.membership_for(user=request.user, project_id=pk)
    if member is None:
        raise Http404
    return member


def _agreement_first(request: AuthenticatedHttpRequest, member: TeamMember) -> HttpResponse:
    return render(request, "reviews/agreement_first.html", {"member": member,
                                                            "project": member.project},
                  status=403)


def _signed_member(request: AuthenticatedHttpRequest, pk: int, *,
                   lead: bool = False) -> TeamMember:
    member = _member(request, pk)
    if not selectors.member_has_accepted(member):
        raise AgreementFirst(member)
    if lead and member.role != TeamRole.LEAD:
        raise Http404
    return member


MemberView = Callable[..., HttpResponse]


def signed(*, lead: bool = False) -> Callable[[MemberView], MemberView]:
    """Signed in, on the team, the agreement accepted (and the lead, when `lead`): the view is
    called with the member instead of the project's id."""

    def decorate(view: MemberView) -> MemberView:
        @login_required
        @functools.wraps(view)
        def wrapped(request: AuthenticatedHttpRequest, pk: int, *args: Any,
                    **kwargs: Any) -> HttpResponse:
            try:
                member = _signed_member(request, pk, lead=lead)
            except AgreementFirst as refused:
                return _agreement_first(request, refused.args[0])
            return view(request, member, *args, **kwargs)

        return wrapped

    return decorate


def _error(request: AuthenticatedHttpRequest, error: services.ReviewError) -> None:
    messages.error(request, error.messages[0])


@login_required
def project(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The project as its member sees it: what it is, the team, whether they have signed, and
    the way on (the agreement, or the checklist)."""
    member = _member(request, pk)
    accepted = selectors.member_has_accepted(member)
    checklist = selectors.project_checklist(member.project, member=member) if accepted else None
    return render(request, "reviews/project.html", {
        "member": member, "project": member.project, "accepted": accepted,
        "checklist": checklist, "team": selectors.team_drawn_members(member.project),
        "judging": member.project.state in JUDGING_STATES, "is_lead": member.role == TeamRole.LEAD,
    })


@login_required
def agreement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The current integrity agreement: sign it (full name, no-conflict declaration), or decline
    the place with a reason (a replacement is drawn)."""
    member = _member(request, pk)
    if selectors.member_has_accepted(member):
        return render(request, "reviews/agreement.html", {
            "member": member, "project": member.project, "version": member.agreement.version,
            "acceptance": member.agreement})
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_accept(
                member=member, full_name=form.cleaned_data["full_name"],
                no_conflict=form.cleaned_data["no_conflict"],
                ip_address=request.META.get("REMOTE_ADDR"))
        except services.ReviewError as error:
            form.add_error("full_name" if error.code == "full_name" else None,
                           error.messages[0])
        else:
            messages.success(request, _("You have signed the integrity agreement."))
            return redirect("reviews:project", pk=member.project_id)
    return render(request, "reviews/agreement.html", {
        "member": member, "project": member.project, "form": form,
        "version": selectors.agreement_current(now=timezone.now()),
        "decline_form": DeclineForm(),
        "can_sign": member.project.state == ProjectState.TEAM_DRAWN,
    })


@signed()
def checklist(request: AuthenticatedHttpRequest, member: TeamMember) -> HttpResponse:
    """Every module of the standard version with how much of it the member has judged."""
    return render(request, "reviews/checklist.html", {
        "member": member, "project": member.project,
        "checklist": selectors.project_checklist(member.project, member=member),
    })


def _module_or_404(checklist: Checklist, number: int) -> ChecklistModule:
    module = checklist.module(number)
    if module is None:
        raise Http404
    return module


@signed()
def checklist_module(request: AuthenticatedHttpRequest, member: TeamMember,
                     number: int) -> HttpResponse:
    """A module's items with the member's own judgement of each."""
    module = _module_or_404(selectors.project_checklist(member.project, member=member), number)
    return render(request, "reviews/checklist_module.html", {
        "member": member, "project": member.project, "module": module,
        "judging": member.project.state in JUDGING_STATES,
        "kpi_flagged": {item_id for item_id, checks in selectors.kpi_checks_by_item(
            member.project, [entry.item.pk for entry in module.items]).items()
            if any(check.flagged for check in checks)},
    })


def _find(checklist: Checklist, item_id: int) -> tuple[ChecklistModule, ChecklistItem]:
    for module in checklist.modules:
        for entry in module.items:
            if entry.item.pk == item_id:
                return module, entry
    raise Http404


def _next_open(module: ChecklistModule, entry: ChecklistItem, *, final: bool) -> int | None:
    """The next item of the module (after `entry`, then from the start) still to judge."""
    items = module.items
    start = items.index(entry)
    for candidate in items[start + 1:] + items[:start]:
        if (candidate.final if final else candidate.own) is None:
            return candidate.item.pk
    return None


def _judgement_page(request: AuthenticatedHttpRequest, member: TeamMember, item_id: int, *,
                    final: bool) -> HttpResponse:
    checklist = selectors.project_checklist(member.project, member=member, with_team=final)
    module, entry = _find(checklist, item_id)
    current = entry.final if final else entry.own
    initial = {"verdict": current.verdict, "reason": current.reason} if current else {}
    form = JudgementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        record = services.final_judgement_record if final else services.judgement_record
        try:
            record(member=member, item=entry.item, verdict=form.cleaned_data["verdict"],
                   reason=form.cleaned_data["reason"])
        except services.ReviewError as error:
            _error(request, error)
        else:
            messages.success(request, _("Saved: %(code)s.") % {"code": entry.item.code})
            following = _next_open(module, entry, final=final)
            if following is not None:
                return redirect("reviews:final_item" if final else "reviews:item",
                                pk=member.project_id, item_id=following)
            return redirect("reviews:final_module" if final else "reviews:checklist_module",
                            pk=member.project_id, number=module.number)
    return render(request, "reviews/item.html", {
        "member": member, "project": member.project, "module": module, "entry": entry,
        "form": form, "final": final, "judging": member.project.state in JUDGING_STATES,
        "panel": selectors.item_evidence_panel(member.project, entry.item),
        "capture_open": member.project.state in ONSITE_CAPTURE_STATES,
    })


@signed()
def item(request: AuthenticatedHttpRequest, member: TeamMember, item_id: int) -> HttpResponse:
    """One item: its requirement and the member's judgement (符合/不符合 with a reason)."""
    return _judgement_page(request, member, item_id, final=False)


@signed(lead=True)
def final(request: AuthenticatedHttpRequest, member: TeamMember) -> HttpResponse:
    """The lead's consolidation: per module, the final judgements recorded, the rate against the
    module's pass rate, the disagreements; consolidate once every item has a final one."""
    checklist = selectors.project_checklist(member.project, member=member, with_team=True)
    return render(request, "reviews/final.html", {
        "member": member, "project": member.project, "checklist": checklist,
        "judging": member.project.state in JUDGING_STATES,
    })


@signed(lead=True)
def final_module(request: AuthenticatedHttpRequest, member: TeamMember,
                 number: int) -> HttpResponse:
    """A module's items with each member's judgement, disagreements marked, and the final one."""
    checklist = selectors.project_checklist(member.project, member=member, with_team=True)
    return render(request, "reviews/final_module.html", {
        "member": member, "project": member.project,
        "module": _module_or_404(checklist, number),
        "judging": member.project.state in JUDGING_STATES,
    })


@signed(lead=True)
def final_item(request: AuthenticatedHttpRequest, member: TeamMember,
               item_id: int) -> HttpResponse:
    """One item with every member's judgement, and the team's final judgement to record."""
    return _judgement_page(request, member, item_id, final=True)


@signed(lead=True)
@require_POST
def onsite_start(request: AuthenticatedHttpRequest, member: TeamMember) -> HttpResponse:
    try:
        services.project_onsite_start(member=member)
    except services.ReviewError as error:
        _error(request, error)
    else:
        messages.success(request, _("On-site review has started: capture on site from each "
                                    "item's page."))
    return redirect("reviews:project", pk=member.project_id)


@signed(lead=True)
@require_POST
def consolidate(request: AuthenticatedHttpRequest, member: TeamMember) -> HttpResponse:
    try:
        services.project_consolidate(member=member)
    except services.ReviewError as error:
        _error(request, error)
        return redirect("reviews:final", pk=member.project_id)
    messages.success(request, _("The review is consolidated; the expert committee decides."))
    return redirect("reviews:project", pk=member.project_id)
