"""The expert committee's spot-checks (draw, verify, re-judge, complete), the reviewers' records
with their findings and sanctions (the committee's pages), and a reviewer's own record and
appeal (their pages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..forms import (
    AppealResolveForm,
    JudgementForm,
    SanctionAppealForm,
    SanctionForm,
    SpotCheckCompleteForm,
)
from ..models import SanctionAction, SpotCheckState

SPOT_CHECK_PERM = services.SPOT_CHECK_PERM


@staff_view(SPOT_CHECK_PERM)
def staff_spotchecks(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The spot-checks drawn so far, the pool a new one would draw from, and the draw."""
    if request.method == "POST":
        try:
            spot_check = services.spotcheck_draw(by=request.user)
        except services.ReviewError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Spot-check drawn: its seed and frozen pool are "
                                        "stored; re-judge the sampled items."))
            return redirect("reviews:staff_spotcheck", pk=spot_check.pk)
    pool, excluded = selectors.spotcheck_pool(request.user)
    return render(request, "reviews/staff_spotchecks.html", {
        "spot_checks": selectors.spot_checks(), "pool_size": len(pool),
        "excluded_count": len(excluded), "appeals": selectors.sanction_appeals_open(),
    })


@staff_view(SPOT_CHECK_PERM)
def staff_spotcheck(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    spot_check = selectors.spot_check_get(pk)
    if spot_check is None:
        raise Http404
    form = SpotCheckCompleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.spotcheck_complete(spot_check=spot_check, by=request.user,
                                        outcome=form.cleaned_data["outcome"])
        except services.ReviewError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The spot-check is completed; the reviewers its "
                                        "findings name are emailed."))
            return redirect("reviews:staff_spotcheck", pk=spot_check.pk)
    return render(request, "reviews/staff_spotcheck.html", {
        "spot_check": spot_check, "form": form,
        "mine": spot_check.created_by_id == request.user.pk,
        "open": spot_check.state == SpotCheckState.OPEN,
        "findings": selectors.spotcheck_findings(spot_check),
        "exclusions": [(project_id, [str(selectors.SPOTCHECK_EXCLUSION_REASONS[c]) for c in codes])
                       for project_id, codes in spot_check.exclusions.items()],
    })


@staff_view(SPOT_CHECK_PERM)
def staff_spotcheck_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    spot_check = selectors.spot_check_get(pk)
    if spot_check is None:
        raise Http404
    return render(request, "reviews/staff_spotcheck_verify.html", {
        "spot_check": spot_check, "check": services.spotcheck_verify(spot_check)})


@staff_view(SPOT_CHECK_PERM)
def staff_spotcheck_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    review = selectors.spot_check_review_get(pk)
    if review is None:
        raise Http404
    return render(request, "reviews/staff_spotcheck_review.html", {
        "review": review, "project": review.project, "rows": selectors.spotcheck_sample(review),
        "judging": (review.spot_check.created_by_id == request.user.pk
                    and review.spot_check.state == SpotCheckState.OPEN),
    })


@staff_view(SPOT_CHECK_PERM)
def staff_spotcheck_item(request: AuthenticatedHttpRequest, pk: int,
                         item_id: int) -> HttpResponse:
    """One sampled item: the requirement, the evidence (the viewer), the team's final judgement
    and each reviewer's beside it, and the committee member's re-judgement."""
    review = selectors.spot_check_review_get(pk)
    if review is None:
        raise Http404
    row = next((r for r in selectors.spotcheck_sample(review) if r.item.pk == item_id), None)
    if row is None:
        raise Http404
    judging = (review.spot_check.created_by_id == request.user.pk
               and review.spot_check.state == SpotCheckState.OPEN)
    initial = {"verdict": row.check.verdict, "reason": row.check.reason} if row.check else None
    form = JudgementForm(request.POST or None, initial=initial)
    if request.method == "POST" and judging and form.is_valid():
        try:
            services.spotcheck_item_judge(review=review, item_id=item_id, by=request.user,
                                          verdict=form.cleaned_data["verdict"],
                                          reason=form.cleaned_data["reason"])
        except services.ReviewError as error:
            messages.error(request, error.messages[0])
        else:
            rows = selectors.spotcheck_sample(review)
            saved = next(r for r in rows if r.item.pk == item_id)
            if saved.finding is not None:
                messages.warning(request, _("Recorded as a finding: your judgement differs from "
                                            "the team's."))
            else:
                messages.success(request, _("Saved: you agree with the team."))
            following = next((r for r in rows if r.check is None), None)
            if following is not None:
                return redirect("reviews:staff_spotcheck_item", pk=review.pk,
                                item_id=following.item.pk)
            return redirect("reviews:staff_spotcheck_review", pk=review.pk)
    return render(request, "reviews/staff_spotcheck_item.html", {
        "review": review, "project": review.project, "row": row, "form": form,
        "judging": judging, "panel": selectors.item_evidence_panel(review.project, row.item),
    })


@staff_view(SPOT_CHECK_PERM)
def staff_reviewers(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reviews/staff_reviewers.html",
                  {"rows": selectors.reviewers_with_records()})


@staff_view(SPOT_CHECK_PERM)
def staff_reviewer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A reviewer's record for the committee: reviews, role, days, agreement with its n, the
    findings naming them, the sanction form, their sanctions and appeals to resolve."""
    reviewer = selectors.record_open_to(request.user, pk)
    if reviewer is None:
        raise Http404
    record = selectors.reviewer_record(reviewer)
    return render(request, "reviews/staff_reviewer.html", {
        "record": record, "reviewer": reviewer,
        "credential": selectors.reviewer_credential(reviewer),
        "sanction_form": SanctionForm(findings=record.findings),
        "resolve_form": AppealResolveForm(),
    })


@staff_view(SPOT_CHECK_PERM)
@require_POST
def staff_sanction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Impose a sanction: a suspension or a withdrawal first shows its consequence; only the
    confirmation page's button (confirmed=1) acts."""
    reviewer = selectors.record_open_to(request.user, pk)
    if reviewer is None:
        raise Http404
    findings = list(selectors.findings_naming(reviewer))
    form = SanctionForm(request.POST, findings=findings)
    if not form.is_valid():
        messages.error(request, _("Choose the sanction, the findings it rests on and give a "
                                  "reason."))
        return redirect("reviews:staff_reviewer", pk=reviewer.pk)
    data = form.cleaned_data
    if data["action"] != SanctionAction.WARN and request.POST.get("confirmed") != "1":
        return render(request, "reviews/staff_sanction_confirm.html", {
            "reviewer": reviewer, "data": data,
            "action_label": SanctionAction(data["action"]).label,
            "credential": selectors.reviewer_credential(reviewer),
            "findings": [f for f in findings if f.pk in data["findings"]],
        })
    try:
        services.sanction_impose(reviewer=reviewer, action=data["action"], reason=data["reason"],
                                 finding_ids=data["findings"], by=request.user,
                                 reason_public=data["reason_public"])
    except services.ReviewError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The sanction is recorded through the credential's status; "
                                    "the reviewer is emailed and may appeal."))
    return redirect("reviews:staff_reviewer", pk=reviewer.pk)


@staff_view(SPOT_CHECK_PERM)
@require_POST
def staff_appeal_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.sanction_appeal_get(pk)
    if appeal is None:
        raise Http404
    form = AppealResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the appeal is upheld and give the reason."))
    else:
        try:
            services.sanction_appeal_resolve(appeal=appeal, by=request.user,
                                             upheld=form.cleaned_data["upheld"],
                                             resolution=form.cleaned_data["resolution"])
        except services.ReviewError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The appeal is resolved; the reviewer is emailed."))
    return redirect("reviews:staff_reviewer", pk=appeal.sanction.reviewer_id)


@login_required
def my_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A reviewer's own record: reviews, role, days, agreement rate, findings and sanctions."""
    reviewer = selectors.record_open_to(request.user, request.user.pk)
    if reviewer is None:
        raise Http404
    return render(request, "reviews/my_record.html",
                  {"record": selectors.reviewer_record(reviewer)})


@login_required
def sanction_appeal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The sanctioned reviewer's appeal of one of their sanctions (404 for anyone else)."""
    sanction = selectors.sanction_for_reviewer(request.user, pk)
    if sanction is None:
        raise Http404
    form = SanctionAppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.sanction_appeal_lodge(sanction=sanction, by=request.user,
                                           reason=form.cleaned_data["reason"])
        except services.ReviewError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Your appeal is recorded; the expert committee is "
                                        "emailed and will resolve it."))
            return redirect("reviews:sanction_appeal", pk=sanction.pk)
    return render(request, "reviews/sanction_appeal.html", {
        "sanction": sanction, "form": form, "appeals": list(sanction.appeals.all()),
        "appealable": (sanction.action != SanctionAction.WITHDRAW
                       and sanction.state == "in_force" and not sanction.appeals.exists()),
    })
