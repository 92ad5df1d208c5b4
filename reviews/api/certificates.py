"""/api/v1/reviews/: the public list of certified contact centres and the verification of a
centre's certificate; the certification admins' issue, suspend, reinstate and withdraw. Each
operation calls the selector or service the pages call, with the same permission."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from certification.models import Credential, CredentialStatus
from certification.verification import lookup_allowed
from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut
from core.bounds import ObjectId, Offset, PageSize
from core.errors import DomainError
from core.ratelimit import RETRY_AFTER_SECONDS
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..models import ReviewProject
from ..views.certificates import MANAGE_CERTIFICATE_PERM

router = Router(tags=["reviews"])


class CertifiedCentreOut(Schema):
    number: str
    organisation: str
    organisation_en: str
    scope: str
    standard_title: str = Field(description="The standard version it was reviewed against")
    issued_on: dt.date
    expires_on: dt.date
    status: str = Field(description='The live status: "active", "suspended", "revoked" '
                        '(withdrawn) or "expired"')
    status_since: dt.datetime | None
    status_reason: str | None = Field(description="Only when the admins made it public")
    verification_url: str = Field(description="The public verification page")


class CertificateStaffOut(Schema):
    project_id: int
    project_state: str
    organisation: str
    credential_id: int | None
    number: str | None
    status: str | None
    expires_on: dt.date | None


class CertificateStatusIn(Schema):
    action: str = Field(description='"suspend", "reinstate" or "withdraw"')
    reason: str
    reason_public: bool = Field(False, description="Show the reason on the public "
                                "verification page")


def _centre(credential: Credential) -> CertifiedCentreOut:
    assert credential.organisation is not None
    changed = credential.status != CredentialStatus.ACTIVE
    return CertifiedCentreOut(
        number=credential.number, organisation=credential.organisation.name,
        organisation_en=credential.organisation.name_en, scope=credential.scope,
        standard_title=credential.standard_title, issued_on=credential.issued_on,
        expires_on=credential.expires_on, status=credential.live_status(),
        status_since=credential.status_changed_at if changed else None,
        status_reason=credential.status_reason
        if changed and credential.status_reason_public else None,
        verification_url=settings.SITE_URL.rstrip("/") + reverse("certification:verify")
        + "?" + urlencode({"number": credential.number}),
    )


def _staff_out(project: ReviewProject) -> CertificateStaffOut:
    certificate = project.certificate
    return CertificateStaffOut(
        project_id=project.pk, project_state=project.state, organisation=project.organisation.name,
        credential_id=certificate.pk if certificate else None,
        number=certificate.number if certificate else None,
        status=certificate.live_status() if certificate else None,
        expires_on=certificate.expires_on if certificate else None,
    )


@router.get("/certified", response=list[CertifiedCentreOut], auth=None)
def certified_centres(request: HttpRequest, q: str = "", limit: PageSize = 50,
                      offset: Offset = 0) -> list[CertifiedCentreOut]:
    """The public list of certified contact centres (active or suspended, not expired), by
    name; `q` searches the organisation's name."""
    projects = selectors.certified_centres(query=q[:100], today=timezone.localdate())
    return [_centre(project.certificate) for project in projects[offset:offset + limit]
            if project.certificate is not None]


@router.get("/certified/{number}", response={200: CertifiedCentreOut, 404: ErrorOut,
                                             429: ErrorOut}, auth=None)
def certified_centre_verify(request: HttpRequest, response: HttpResponse, number: str,
                            token: str | None = None) -> Status:
    """Verify a centre's certificate by number (and the QR link's token, when given), with its
    live status: certification's verification, with the same limits (429 with `Retry-After`)."""
    if not lookup_allowed(request, by_link=token is not None):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return Status(429, ErrorOut(detail=_("Too many lookups; try again in a minute."),
                                    code="rate_limited"))
    credential = selectors.centre_certificate_public(number[:40], token)
    if credential is None:
        return Status(404, ErrorOut(detail=_("Not found."), code="not_found"))
    return Status(200, _centre(credential))


@router.get("/staff/certificates", response={200: list[CertificateStaffOut], 403: ErrorOut},
            auth=signed_in)
def staff_certificates(request: AuthenticatedHttpRequest, limit: PageSize = 50,
                       offset: Offset = 0) -> Status:
    """The projects decided certified (awaiting their certificate) and those with one."""
    permission_check(request, MANAGE_CERTIFICATE_PERM)
    projects = selectors.certificate_projects_for_staff()[offset:offset + limit]
    return Status(200, [_staff_out(project) for project in projects])


def _project(project_id: int) -> ReviewProject | None:
    return ReviewProject.objects.select_related("organisation").filter(pk=project_id).first()


def _refused(error: DomainError) -> Status:
    return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))


@router.post("/staff/projects/{project_id}/certificate",
             response={200: CertificateStaffOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_certificate_issue(request: AuthenticatedHttpRequest, project_id: ObjectId) -> Status:
    """Issue the certificate of a project decided certified (idempotent: a second call answers
    with the same certificate); audited, the organisation's contacts emailed."""
    permission_check(request, MANAGE_CERTIFICATE_PERM)
    project = _project(project_id)
    if project is None:
        return Status(404, ErrorOut(code="not_found", detail=_("Not found.")))
    try:
        services.project_certificate_issue(project=project, actor=request.user,
                                           today=timezone.localdate())
    except DomainError as error:
        return _refused(error)
    project = ReviewProject.objects.select_related("organisation", "certificate").get(
        pk=project.pk)
    return Status(200, _staff_out(project))


@router.post("/staff/projects/{project_id}/certificate/status",
             response={200: CertificateStaffOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_certificate_status(request: AuthenticatedHttpRequest, project_id: ObjectId,
                             payload: CertificateStatusIn) -> Status:
    """Suspend, reinstate or withdraw a project's certificate with a reason: certification's
    status service (only the transitions the status allows; audited; emailed)."""
    permission_check(request, MANAGE_CERTIFICATE_PERM)
    project = _project(project_id)
    if project is None:
        return Status(404, ErrorOut(code="not_found", detail=_("Not found.")))
    try:
        services.project_certificate_status_set(
            project=project, actor=request.user, action=payload.action, reason=payload.reason,
            reason_public=payload.reason_public)
    except DomainError as error:
        return _refused(error)
    project = ReviewProject.objects.select_related("organisation", "certificate").get(
        pk=project.pk)
    return Status(200, _staff_out(project))
