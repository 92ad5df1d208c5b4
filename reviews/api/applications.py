"""The applicant's side of the API: my organisations, their profile, sites and members, my
applications (create, change, pay the fee through lms's providers, resubmit, status); and the
certification admins' accept or return. Same rules and permissions as the pages
(reviews/views/applications.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.models import User
from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut
from core.typing import AuthenticatedHttpRequest
from lms.api import CheckoutIn, CheckoutOut, fapiao_data
from lms.services import LmsError

from .. import selectors, services
from ..models import (
    MemberRole,
    OrganisationMember,
    OrganisationSite,
    ProjectState,
    ReviewProject,
)
from ..views.applications import ACCEPT_PROJECT_PERM  # the staff pages' permission

router = Router(tags=["reviews"])


class OrganisationProfileIn(Schema):
    industry: str = Field(description="One of reviews.models.Industry")
    centre_type: str = Field(description="in_house, outsourced or hosted")
    seats: int
    channels: list[str] = Field(description="Some of voice, online_chat, email, social, video, "
                                            "self_service")


class OrganisationProfileOut(OrganisationProfileIn):
    industry_label: str
    centre_type_label: str


class SiteIn(Schema):
    name: str
    address: str
    seats: int


class SiteOut(SiteIn):
    id: int


class MemberIn(Schema):
    email: str = Field(description="The email of the colleague's existing account")
    role: str = MemberRole.MEMBER.value


class OrganisationMemberOut(Schema):
    id: int
    name: str
    email: str
    role: str


class OrganisationIn(Schema):
    name: str
    credit_code: str


class OrganisationOut(Schema):
    id: int
    name: str
    credit_code: str
    my_role: str
    profile: OrganisationProfileOut | None
    sites: list[SiteOut]
    members: list[OrganisationMemberOut]


class ReviewApplicationIn(Schema):
    standard_version_id: int | None = None
    site_ids: list[int] = []
    coordinators: list[str] = Field(
        default=[], description="Emails or credential numbers of registered coordinators")
    consulting_firm: str = Field(default="", description="An organisation's name or credit code")
    declared_true: bool = False


class ReviewApplicationOut(Schema):
    id: int
    reference: str
    organisation_id: int
    organisation: str
    state: str
    state_label: str
    standard_version_id: int
    standard_version: str
    site_ids: list[int]
    scope: str
    coordinators: list[str] = Field(description="Their emails")
    consulting_firm: str
    declared_true: bool
    missing: list[str] = Field(description="What must be done before the fee can be paid")
    fee: Decimal
    fee_paid: bool
    return_reason: str
    submitted_at: datetime.datetime | None
    accepted_at: datetime.datetime | None
    url: str


class ReturnIn(Schema):
    reason: str


def _error(error: ValidationError) -> ErrorOut:
    """The error's code, or that of the first field error that has one."""
    codes = [getattr(error, "code", None)]
    if hasattr(error, "error_dict"):
        codes += [e.code for errors in error.error_dict.values() for e in errors]
    return ErrorOut(code=next((str(c) for c in codes if c), "invalid"),
                    detail=" ".join(str(m) for m in error.messages))


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _membership(request: HttpRequest, organisation_id: int) -> OrganisationMember:
    membership = selectors.organisation_membership(_user(request), organisation_id)
    if membership is None:
        raise Http404
    return membership


def _project(request: HttpRequest, project_id: int) -> ReviewProject:
    project = selectors.project_for_member(_user(request), project_id)
    if project is None:
        raise Http404
    return project


def _organisation_out(membership: OrganisationMember) -> OrganisationOut:
    organisation = membership.organisation
    profile = getattr(organisation, "review_profile", None)
    return OrganisationOut(
        id=organisation.pk, name=organisation.name, credit_code=organisation.credit_code,
        my_role=membership.role,
        profile=OrganisationProfileOut(
            industry=profile.industry, centre_type=profile.centre_type, seats=profile.seats,
            channels=profile.channels, industry_label=str(profile.get_industry_display()),
            centre_type_label=str(profile.get_centre_type_display()),
        ) if profile else None,
        sites=[_site_out(site) for site in selectors.organisation_sites(organisation.pk)],
        members=[OrganisationMemberOut(id=m.pk, name=m.user.display_name, email=m.user.email,
                                       role=m.role)
                 for m in selectors.organisation_members(organisation.pk)],
    )


def _site_out(site: OrganisationSite) -> SiteOut:
    return SiteOut(id=site.pk, name=site.name, address=site.address, seats=site.seats)


def _application_out(project: ReviewProject) -> ReviewApplicationOut:
    return ReviewApplicationOut(
        id=project.pk, reference=project.reference, organisation_id=project.organisation_id,
        organisation=project.organisation.name, state=project.state,
        state_label=str(project.get_state_display()),
        standard_version_id=project.standard_version_id,
        standard_version=project.standard_version.title,
        site_ids=[site.pk for site in project.sites.all()], scope=project.scope,
        coordinators=[user.email for user in project.coordinators.all()],
        consulting_firm=project.consulting_firm.name if project.consulting_firm else "",
        declared_true=project.declared_true,
        missing=[str(m) for m in services.application_missing(project)]
        if project.is_editable else [],
        fee=services.fee_amount(), fee_paid=services.fee_paid(project),
        return_reason=project.return_reason if project.state == ProjectState.RETURNED else "",
        submitted_at=project.submitted_at, accepted_at=project.accepted_at,
        url=reverse("reviews:application", args=[project.pk]),
    )


def _application_data(payload: ReviewApplicationIn) -> services.ApplicationData:
    return services.ApplicationData(
        standard_version_id=payload.standard_version_id, site_ids=payload.site_ids,
        coordinators=payload.coordinators, consulting_firm=payload.consulting_firm,
        declared_true=payload.declared_true)


# --- Organisations
@router.get("/organisations", response={200: list[OrganisationOut]}, auth=signed_in)
def organisations_mine(request: HttpRequest) -> Status:
    """The organisations I work on applications for, with their profile, sites and members."""
    return Status(200, [_organisation_out(m)
                        for m in selectors.memberships_in_organisations(_user(request))])


@router.post("/organisations", response={201: OrganisationOut, 400: ErrorOut}, auth=signed_in)
def organisation_register(request: HttpRequest, payload: OrganisationIn) -> Status:
    """Register my organisation; I become its admin. One already on the platform is refused
    with what to do (`exists`: ask its admin; `needs_attaching`: a certification admin)."""
    try:
        organisation = services.organisation_register(
            user=_user(request), name=payload.name, credit_code=payload.credit_code)
    except ValidationError as error:
        return Status(400, _error(error))
    return Status(201, _organisation_out(_membership(request, organisation.pk)))


@router.get("/organisations/{organisation_id}", response={200: OrganisationOut, 404: ErrorOut},
            auth=signed_in)
def organisation_detail(request: HttpRequest, organisation_id: int) -> Status:
    return Status(200, _organisation_out(_membership(request, organisation_id)))


@router.put("/organisations/{organisation_id}/profile",
            response={200: OrganisationOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def organisation_profile(request: HttpRequest, organisation_id: int,
                         payload: OrganisationProfileIn) -> Status:
    """An admin sets the review profile: industry, centre type, seats, channels."""
    membership = _membership(request, organisation_id)
    try:
        services.profile_save(organisation=membership.organisation, by=_user(request),
                              industry=payload.industry, centre_type=payload.centre_type,
                              seats=payload.seats, channels=payload.channels)
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(200, _organisation_out(_membership(request, organisation_id)))


@router.post("/organisations/{organisation_id}/sites",
             response={201: SiteOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def site_add(request: HttpRequest, organisation_id: int, payload: SiteIn) -> Status:
    membership = _membership(request, organisation_id)
    try:
        site = services.site_add(organisation=membership.organisation, by=_user(request),
                                 name=payload.name, address=payload.address,
                                 seats=payload.seats)
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(201, _site_out(site))


@router.delete("/organisations/{organisation_id}/sites/{site_id}",
               response={204: None, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def site_remove(request: HttpRequest, organisation_id: int, site_id: int) -> Status:
    _membership(request, organisation_id)
    site = get_object_or_404(selectors.organisation_sites(organisation_id), pk=site_id)
    try:
        services.site_remove(site=site, by=_user(request))
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(204, None)


@router.post("/organisations/{organisation_id}/members",
             response={201: OrganisationMemberOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def member_add(request: HttpRequest, organisation_id: int, payload: MemberIn) -> Status:
    """An admin adds a colleague by the email of their existing account (`no_account` when
    there is none)."""
    membership = _membership(request, organisation_id)
    try:
        member = services.member_add(organisation=membership.organisation, by=_user(request),
                                     email=payload.email, role=payload.role)
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(201, OrganisationMemberOut(id=member.pk, name=member.user.display_name,
                                 email=member.user.email, role=member.role))


@router.delete("/organisations/{organisation_id}/members/{member_id}",
               response={204: None, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def member_remove(request: HttpRequest, organisation_id: int, member_id: int) -> Status:
    _membership(request, organisation_id)
    member = get_object_or_404(selectors.organisation_members(organisation_id), pk=member_id)
    try:
        services.member_remove(member=member, by=_user(request))
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(204, None)


# --- Applications
@router.post("/organisations/{organisation_id}/applications",
             response={201: ReviewApplicationOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def application_create(request: HttpRequest, organisation_id: int,
                       payload: ReviewApplicationIn) -> Status:
    """Start an application (a draft) for the organisation."""
    membership = _membership(request, organisation_id)
    try:
        project = services.application_create(organisation=membership.organisation,
                                              by=_user(request),
                                              data=_application_data(payload))
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(201, _application_out(_project(request, project.pk)))


@router.get("/applications", response={200: list[ReviewApplicationOut]}, auth=signed_in)
def applications_mine(request: HttpRequest) -> Status:
    """The applications of all my organisations, newest first."""
    return Status(200, [_application_out(project)
                        for project in selectors.projects_of_member(_user(request))])


@router.get("/applications/{project_id}", response={200: ReviewApplicationOut, 404: ErrorOut},
            auth=signed_in)
def application_detail(request: HttpRequest, project_id: int) -> Status:
    """An application and its status (`missing` says what stands before paying its fee)."""
    return Status(200, _application_out(_project(request, project_id)))


@router.put("/applications/{project_id}",
            response={200: ReviewApplicationOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def application_update(request: HttpRequest, project_id: int,
                       payload: ReviewApplicationIn) -> Status:
    """Change a draft or returned application (everything is replaced by what is sent)."""
    project = _project(request, project_id)
    try:
        services.application_update(project=project, by=_user(request),
                                    data=_application_data(payload))
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(200, _application_out(_project(request, project_id)))


@router.post("/applications/{project_id}/checkout",
             response={200: CheckoutOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def application_checkout(request: HttpRequest, project_id: int, payload: CheckoutIn) -> Status:
    """Pay the review fee as a course is paid: `stripe` (go to `redirect_url`) or
    `bank_transfer` (with `fapiao`; transfer as `instructions` say). The payment submits the
    application."""
    project = _project(request, project_id)
    page = request.build_absolute_uri(reverse("reviews:application", args=[project.pk]))
    paid = request.build_absolute_uri(reverse("reviews:application_paid", args=[project.pk]))
    try:
        result = services.fee_checkout_start(
            project=project, by=_user(request), provider=payload.provider,
            success_url=paid, cancel_url=page, fapiao=fapiao_data(payload.fapiao))
    except LookupError:
        return Status(400, ErrorOut(code="provider", detail="Unknown payment provider."))
    except (services.ReviewError, LmsError) as error:
        return Status(400, _error(error))
    return Status(200, CheckoutOut(
        provider=payload.provider, reference=result.start.reference,
        expires_at=result.start.expires_at, redirect_url=result.start.redirect_url,
        instructions=result.start.instructions))


@router.post("/applications/{project_id}/checkout/sync",
             response={200: ReviewApplicationOut, 404: ErrorOut}, auth=signed_in)
def application_checkout_sync(request: HttpRequest, project_id: int) -> Status:
    """Back from Stripe: re-read the open checkout now rather than wait for its event."""
    project = _project(request, project_id)
    services.fee_sync(project=project)
    return Status(200, _application_out(_project(request, project_id)))


@router.post("/applications/{project_id}/submit",
             response={200: ReviewApplicationOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def application_submit(request: HttpRequest, project_id: int) -> Status:
    """Resubmit a returned, corrected application (its fee is not asked again). A draft is
    submitted by paying its fee (`fee_unpaid`)."""
    project = _project(request, project_id)
    if project.state == ProjectState.DRAFT:
        missing = services.application_missing(project)
        return Status(400, ErrorOut(
            code="incomplete" if missing else "fee_unpaid",
            detail=" ".join(str(m) for m in missing) if missing
            else _("Pay the review fee to submit the application.")))
    try:
        services.application_resubmit(project=project, by=_user(request))
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(200, _application_out(_project(request, project_id)))


# --- Certification admins
@router.get("/staff/applications", response={200: list[ReviewApplicationOut], 403: ErrorOut},
            auth=signed_in)
def staff_applications(request: AuthenticatedHttpRequest) -> Status:
    """Certification admins: the submitted applications to accept or return, oldest first."""
    permission_check(request, ACCEPT_PROJECT_PERM)
    return Status(200, [_application_out(p) for p in selectors.projects_awaiting_acceptance()])


@router.post("/staff/applications/{project_id}/accept",
             response={200: ReviewApplicationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_application_accept(request: AuthenticatedHttpRequest, project_id: int) -> Status:
    """Certification admins: accept a submitted application; its draw can then be run."""
    permission_check(request, ACCEPT_PROJECT_PERM)
    project = get_object_or_404(ReviewProject, pk=project_id)
    try:
        services.project_accept(project=project, by=request.user)
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(200, _application_out(_staff_project(project_id)))


@router.post("/staff/applications/{project_id}/return",
             response={200: ReviewApplicationOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_application_return(request: AuthenticatedHttpRequest, project_id: int,
                             payload: ReturnIn) -> Status:
    """Certification admins: return a submitted application with what must be corrected."""
    permission_check(request, ACCEPT_PROJECT_PERM)
    project = get_object_or_404(ReviewProject, pk=project_id)
    try:
        services.project_return(project=project, by=request.user, reason=payload.reason)
    except services.ReviewError as error:
        return Status(400, _error(error))
    return Status(200, _application_out(_staff_project(project_id)))


def _staff_project(project_id: int) -> ReviewProject:
    project = selectors.project_with_details(project_id)
    assert project is not None
    return project
