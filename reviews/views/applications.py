"""The applicant's pages (its organisations, members, sites, the application and its fee) and
the certification admins' list of submitted applications to accept or return."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import staff_view
from core.typing import AuthenticatedHttpRequest
from lms import selectors as lms_selectors
from lms.forms import FapiaoForm
from lms.models import FapiaoRequest, Payment
from lms.payments import providers_available
from lms.services import LmsError

from .. import selectors, services
from ..forms import (
    ApplicationForm,
    MemberAddForm,
    OrganisationRegisterForm,
    ProfileForm,
    ReturnForm,
    SiteForm,
)
from ..models import MemberRole, OrganisationMember, ReviewProject

ACCEPT_PROJECT_PERM = "reviews.accept_project"


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _form_errors(form: Form, error: ValidationError) -> None:
    """A service's errors on the form's fields (those it has), the rest above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _membership(request: AuthenticatedHttpRequest, pk: int) -> OrganisationMember:
    membership = selectors.organisation_membership(request.user, pk)
    if membership is None:
        raise Http404
    return membership


# --- Organisations
@login_required
def organisations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My organisations; POST registers a new one, of which I become the admin."""
    form = OrganisationRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_register(user=request.user,
                                                          **form.cleaned_data)
        except services.ReviewError as error:
            _form_errors(form, error)
        except ValidationError as error:  # the organisation's own validators (credit code)
            _form_errors(form, error)
        else:
            messages.success(request, _("The organisation is registered; you are its admin."))
            return redirect("reviews:organisation", pk=organisation.pk)
    return render(request, "reviews/organisations.html", {
        "memberships": selectors.memberships_in_organisations(request.user), "form": form,
    }, status=400 if form.errors else 200)


def _organisation_page(request: AuthenticatedHttpRequest, membership: OrganisationMember, *,
                       status: int = 200, **forms: Form) -> HttpResponse:
    organisation = membership.organisation
    profile = getattr(organisation, "review_profile", None)
    context: dict[str, Any] = {
        "membership": membership, "organisation": organisation, "profile": profile,
        "is_admin": membership.role == MemberRole.ADMIN,
        "members": selectors.organisation_members(organisation.pk),
        "sites": selectors.organisation_sites(organisation.pk),
        "projects": selectors.organisation_projects(organisation.pk),
        "profile_form": ProfileForm(initial={
            "industry": profile.industry, "centre_type": profile.centre_type,
            "seats": profile.seats, "channels": profile.channels} if profile else None),
        "site_form": SiteForm(), "member_form": MemberAddForm(),
    }
    context.update(forms)
    return render(request, "reviews/organisation.html", context, status=status)


@login_required
def organisation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _organisation_page(request, _membership(request, pk))


@login_required
@require_POST
def organisation_profile(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.profile_save(organisation=membership.organisation, by=request.user,
                                  **form.cleaned_data)
        except services.ReviewError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The review profile is saved."))
            return redirect("reviews:organisation", pk=pk)
    return _organisation_page(request, membership, profile_form=form, status=400)


@login_required
@require_POST
def site_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            services.site_add(organisation=membership.organisation, by=request.user,
                              **form.cleaned_data)
        except services.ReviewError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The site is added."))
            return redirect("reviews:organisation", pk=pk)
    return _organisation_page(request, membership, site_form=form, status=400)


@login_required
@require_POST
def site_remove(request: AuthenticatedHttpRequest, pk: int, site_pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    site = get_object_or_404(selectors.organisation_sites(pk), pk=site_pk)
    try:
        services.site_remove(site=site, by=request.user)
    except services.ReviewError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The site is removed."))
    return redirect("reviews:organisation", pk=membership.organisation_id)


@login_required
@require_POST
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            member = services.member_add(organisation=membership.organisation, by=request.user,
                                         **form.cleaned_data)
        except services.ReviewError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(name)s is added; they are emailed.")
                             % {"name": member.user.display_name})
            return redirect("reviews:organisation", pk=pk)
    return _organisation_page(request, membership, member_form=form, status=400)


@login_required
@require_POST
def member_remove(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    member = get_object_or_404(selectors.organisation_members(pk), pk=member_pk)
    try:
        services.member_remove(member=member, by=request.user)
    except services.ReviewError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(name)s is removed.") % {"name": member.user.display_name})
    return redirect("reviews:organisation", pk=membership.organisation_id)


# --- The application
@login_required
def application_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = ApplicationForm(request.POST or None, organisation_id=pk)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.application_create(organisation=membership.organisation,
                                                  by=request.user,
                                                  data=form.application_data())
        except services.ReviewError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The application is saved as a draft."))
            return redirect("reviews:application", pk=project.pk)
    return render(request, "reviews/application.html", {
        "organisation": membership.organisation, "form": form, "project": None,
    }, status=400 if form.errors else 200)


def _own_project(request: AuthenticatedHttpRequest, pk: int) -> ReviewProject:
    project = selectors.project_for_member(request.user, pk)
    if project is None:
        raise Http404
    return project


def _application_page(request: AuthenticatedHttpRequest, project: ReviewProject, *,
                      form: ApplicationForm | None = None, fapiao_form: FapiaoForm | None = None,
                      status: int = 200) -> HttpResponse:
    payments = list(lms_selectors.purchase_payments(kind=services.FEE_KIND,
                                                    key=str(project.pk)))
    bank_payment = next((p for p in payments if p.provider == "bank_transfer"
                         and p.state == Payment.State.CREATED), None)
    if fapiao_form is None:
        fapiao = FapiaoRequest.objects.filter(purchase_kind=services.FEE_KIND,
                                              purchase_key=str(project.pk)).first()
        fapiao_form = FapiaoForm(instance=fapiao) if fapiao else FapiaoForm(
            initial={"company_name": project.organisation.name,
                     "taxpayer_id": project.organisation.credit_code})
    providers = {provider.identifier for provider in providers_available()}
    return render(request, "reviews/application.html", {
        "organisation": project.organisation, "project": project,
        "form": form or (ApplicationForm(initial=ApplicationForm.initial_for(project),
                                         organisation_id=project.organisation_id)
                         if project.is_editable else None),
        "missing": services.application_missing(project),
        "fee": services.fee_amount(), "fee_paid": services.fee_paid(project),
        "payments": payments, "bank_payment": bank_payment,
        "bank_instructions": (lms_selectors.purchase_bank_instructions(payment=bank_payment)
                              if bank_payment else None),
        "stripe_available": "stripe" in providers, "bank_available": "bank_transfer" in providers,
        "fapiao_form": fapiao_form,
    }, status=status)


@login_required
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The application: its form while it is a draft or returned, its state, the reason it was
    returned, and paying its fee."""
    project = _own_project(request, pk)
    if request.method != "POST":
        return _application_page(request, project)
    form = ApplicationForm(request.POST, organisation_id=project.organisation_id)
    if form.is_valid():
        try:
            services.application_update(project=project, by=request.user,
                                        data=form.application_data())
        except services.ReviewError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The application is saved."))
            return redirect("reviews:application", pk=project.pk)
    return _application_page(request, project, form=form, status=400)


@login_required
@require_POST
def application_pay_stripe(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _own_project(request, pk)
    url = request.build_absolute_uri(reverse("reviews:application", args=[project.pk]))
    try:
        result = services.fee_checkout_start(
            project=project, by=request.user, provider="stripe",
            success_url=request.build_absolute_uri(
                reverse("reviews:application_paid", args=[project.pk])),
            cancel_url=url)
    except (services.ReviewError, LmsError) as error:
        messages.error(request, _error_text(error))
        return redirect("reviews:application", pk=project.pk)
    return redirect(result.start.redirect_url)


@login_required
@require_POST
def application_pay_bank(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _own_project(request, pk)
    fapiao_form = FapiaoForm(request.POST)
    if not fapiao_form.is_valid():
        messages.error(request, _("Please correct the fapiao details below."))
        return _application_page(request, project, fapiao_form=fapiao_form, status=400)
    try:
        services.fee_checkout_start(project=project, by=request.user, provider="bank_transfer",
                                    fapiao=fapiao_form.fapiao_data())
    except (services.ReviewError, LmsError) as error:
        messages.error(request, _error_text(error))
        return _application_page(request, project, fapiao_form=fapiao_form, status=400)
    messages.success(request, _("Transfer the fee with the reference below; the application is "
                                "submitted when the transfer is confirmed."))
    return redirect("reviews:application", pk=project.pk)


@login_required
def application_paid(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Back from Stripe: re-read the checkout rather than wait for its event."""
    project = _own_project(request, pk)
    if services.fee_sync(project=project) == "paid":
        messages.success(request, _("The fee is paid and the application is submitted."))
    else:
        messages.info(request, _("We are waiting for the payment service to confirm your "
                                 "payment; this page will show it once it arrives."))
    return redirect("reviews:application", pk=project.pk)


@login_required
@require_POST
def application_resubmit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = _own_project(request, pk)
    try:
        services.application_resubmit(project=project, by=request.user)
    except services.ReviewError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The corrected application is resubmitted."))
    return redirect("reviews:application", pk=project.pk)


# --- Certification admins
@staff_view(ACCEPT_PROJECT_PERM)
def staff_projects(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "reviews/staff_projects.html", {
        "projects": selectors.projects_awaiting_acceptance(), "return_form": ReturnForm(),
    })


@staff_view(ACCEPT_PROJECT_PERM)
@require_POST
def staff_project_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ReviewProject, pk=pk)
    try:
        services.project_accept(project=project, by=request.user)
    except services.ReviewError as error:
        messages.error(request, _error_text(error))
        return redirect("reviews:staff_projects")
    messages.success(request, _("The application is accepted; its team can now be drawn."))
    return redirect("reviews:staff_project_draw", pk=project.pk)


@staff_view(ACCEPT_PROJECT_PERM)
@require_POST
def staff_project_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(ReviewProject, pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the applicant must correct."))
        return redirect("reviews:staff_projects")
    try:
        services.project_return(project=project, by=request.user,
                                reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The application is returned to the applicant with your "
                                    "reason."))
    return redirect("reviews:staff_projects")
