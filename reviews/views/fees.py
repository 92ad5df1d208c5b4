"""Reviewers' fees: the certification admins record days, fee and travel per place on a team
and read (and export) the statement of a period for all reviewers or one; each reviewer reads
and downloads their own statement."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.bounds import object_ids
from core.exports import spreadsheet_response
from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest

from .. import exports, selectors, services
from ..forms import FeeForm, PeriodForm
from ..services.fees import RECORD_FEES_PERM


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def period_from(request: HttpRequest, *, today: dt.date) -> tuple[PeriodForm, dt.date, dt.date]:
    """The period asked for (`?start=&end=`), else the current month. Shared with the API's
    defaults."""
    start, end = month_bounds(today)
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET)
        if form.is_valid():
            return form, form.cleaned_data["start"], form.cleaned_data["end"]
        return form, start, end
    return PeriodForm(initial={"start": start, "end": end}), start, end


def _filename(prefix: str, start: dt.date, end: dt.date) -> str:
    return f"{prefix}-{start:%Y%m%d}-{end:%Y%m%d}"


# --- The reviewer's own statement
@login_required
def my_fees(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, start, end = period_from(request, today=timezone.localdate())
    statement = selectors.fee_statement(start=start, end=end, reviewer=request.user)
    return render(request, "reviews/fees_mine.html", {
        "form": form, "statement": statement, "start": start, "end": end,
        "mine": statement.reviewers[0]})


@login_required
def my_fees_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, start, end = period_from(request, today=timezone.localdate())
    statement = selectors.fee_statement(start=start, end=end, reviewer=request.user)
    return spreadsheet_response(exports.fee_statement_xlsx(statement),
                                filename=_filename("review-fees", start, end))


# --- The certification admins
def _reviewer(request: HttpRequest) -> User | None:
    raw = request.GET.get("reviewer", "")
    if not raw:
        return None
    ids = object_ids([raw])
    reviewer = selectors.users_by_id(ids).get(ids[0]) if ids else None
    if reviewer is None:
        raise Http404
    return reviewer


@staff_view(RECORD_FEES_PERM)
def staff_fees(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The statement of a period for every reviewer (or `?reviewer=<id>`), its download, and
    the projects whose team's days are to record."""
    form, start, end = period_from(request, today=timezone.localdate())
    reviewer = _reviewer(request)
    return render(request, "reviews/staff_fees.html", {
        "form": form, "start": start, "end": end, "reviewer": reviewer,
        "statement": selectors.fee_statement(start=start, end=end, reviewer=reviewer),
        "projects": selectors.fee_projects()[:50],
        "daily_fee": services.daily_fee_current(),
    })


@staff_view(RECORD_FEES_PERM)
def staff_fees_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    _form, start, end = period_from(request, today=timezone.localdate())
    reviewer = _reviewer(request)
    statement = selectors.fee_statement(start=start, end=end, reviewer=reviewer)
    prefix = f"review-fees-{reviewer.pk}" if reviewer else "review-fees"
    return spreadsheet_response(exports.fee_statement_xlsx(statement),
                                filename=_filename(prefix, start, end))


@staff_view(RECORD_FEES_PERM)
def staff_fee_member(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record or correct one place's days, travel costs and (kept) daily fee."""
    member = selectors.fee_member(pk)
    if member is None:
        raise Http404
    fee = getattr(member, "fee", None)
    initial = ({"work_ended_on": fee.work_ended_on, "document_days": fee.document_days,
                "onsite_days": fee.onsite_days, "travel_amount": fee.travel_amount,
                "travel_note": fee.travel_note} if fee else
               {"work_ended_on": timezone.localdate(member.project.decided_at)
                if member.project.decided_at else timezone.localdate(),
                "document_days": 0, "onsite_days": 0, "travel_amount": 0})
    form = FeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.fee_record(member=member, by=request.user, **form.cleaned_data)
        except services.ReviewError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("The fee of %(name)s is recorded.")
                             % {"name": member.reviewer.display_name})
            return redirect("reviews:staff_fees")
    return render(request, "reviews/staff_fee_member.html", {
        "member": member, "fee": fee, "form": form,
        "daily_fee": fee.daily_fee if fee else services.daily_fee_current(),
    }, status=400 if form.errors else 200)
