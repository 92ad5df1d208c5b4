"""/api/v1/certification/: verify, registry search; my credentials, their certificate PDF, share
link, registry listing and continuing-education hours; applying to be a reviewer; the
certification admins' status changes. Each operation calls the service the page calls, with
the page's form for its input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut, form_error
from core.api_files import PreparingOut, file_openapi
from core.bounds import ObjectId, Offset, PageSize
from core.ratelimit import RETRY_AFTER_SECONDS
from core.responses import FILE_PREPARING_REFRESH_SECONDS
from core.typing import AuthenticatedHttpRequest
from core.uploads import UploadLimits, UploadRefused, bounded_read

from . import selectors, services
from .forms import AttestForm, EducationForm, PositionFormSet, ReviewFormSet, StatusChangeForm
from .models import (
    ContinuingEducation,
    Credential,
    CredentialType,
    EducationStatus,
    ReviewerApplication,
)
from .openbadges.verify import BadgeUnreadable, badge_check, document_from_upload
from .verification import badge_check_allowed, lookup_allowed
from .views import STAFF_STATUS_PERM
from .views_openbadges import credential_badge_png, credential_openbadge_json

router = Router(tags=["certification"])


class VerificationOut(Schema):
    number: str
    type: str
    type_name: str
    holder_name_zh: str = Field(description="The person's name, or the certified organisation's")
    holder_name_en: str
    held_by_organisation: bool = Field(description="A certified contact centre's certificate")
    scope: str = Field(description="What an organisation's certificate covers (sites); empty "
                       "for a person's")
    standard_title: str = Field(description="The standard version an organisation was reviewed "
                                "against; empty for a person's")
    issued_on: dt.date
    expires_on: dt.date
    status: str
    status_since: dt.datetime | None
    status_reason: str | None


class MyCredentialOut(Schema):
    id: int
    number: str
    type: str
    type_name: str
    issued_on: dt.date
    expires_on: dt.date
    status: str
    verification_url: str = Field(description="The share link: the public verification page")
    pdf_url: str = Field(description="The certificate on the web (a browser session)")
    pdf_api_url: str = Field(description="The certificate for an app (GET with the token)")
    openbadge_url: str = Field(description="The credential as a signed Open Badges 3.0 "
                               "credential (JSON-LD; GET with the token)")
    badge_png_url: str = Field(description="The baked badge image (PNG with the signed "
                               "credential in its iTXt chunk; GET with the token)")
    registry_listed: bool
    education_hours: Decimal = Field(description="Approved hours in the current period")
    education_hours_pending: Decimal = Field(description="Hours awaiting review")


class RegistryEntryOut(Schema):
    number: str
    type: str
    type_name: str
    holder_name_zh: str
    holder_name_en: str
    organisation: str | None
    region: str | None
    expires_on: dt.date


def _verification(credential: Credential) -> VerificationOut:
    changed = credential.status != "active"
    name_zh, name_en = credential.holder_names()
    return VerificationOut(
        number=credential.number,
        type=credential.credential_type.slug,
        type_name=credential.credential_type.name,
        holder_name_zh=name_zh,
        holder_name_en=name_en,
        held_by_organisation=credential.held_by_organisation,
        scope=credential.scope,
        standard_title=credential.standard_title,
        issued_on=credential.issued_on,
        expires_on=credential.expires_on,
        status=credential.live_status(),
        status_since=credential.status_changed_at if changed else None,
        status_reason=credential.status_reason
        if changed and credential.status_reason_public else None,
    )


@router.get("/verify/{number}", response={200: VerificationOut, 404: ErrorOut,
                                          429: ErrorOut}, auth=None)
def verify(request: HttpRequest, response: HttpResponse, number: str,
           token: str | None = None) -> Status:
    """Verify by number (and the QR link's token, when given: a wrong token is "not found").
    Past the limit per client: 429 with `Retry-After` (seconds), as on the page."""
    if not lookup_allowed(request, by_link=token is not None):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return Status(429, ErrorOut(detail=_("Too many lookups; try again in a minute."),
                                    code="rate_limited"))
    credential = (selectors.credential_public_by_number(number) if token is None
                  else selectors.credential_public_by_link(number, token))
    if credential is None:
        return Status(404, ErrorOut(detail=_("Not found."), code="not_found"))
    return Status(200, _verification(credential))


def _my_credential(c: Credential) -> MyCredentialOut:
    return MyCredentialOut(
        id=c.pk, number=c.number, type=c.credential_type.slug, type_name=c.credential_type.name,
        issued_on=c.issued_on, expires_on=c.expires_on, status=c.live_status(),
        verification_url=c.verification_url(),
        pdf_url=reverse("certification:pdf", kwargs={"pk": c.pk}),
        pdf_api_url=reverse("api-v1:certification_pdf", kwargs={"credential_id": c.pk}),
        openbadge_url=reverse("api-v1:certification_openbadge", kwargs={"credential_id": c.pk}),
        badge_png_url=reverse("api-v1:certification_badge_png", kwargs={"credential_id": c.pk}),
        registry_listed=c.registry_listed,
        education_hours=services.credential_education_hours(c),
        education_hours_pending=services.credential_education_hours(
            c, status=EducationStatus.PENDING),
    )


@router.get("/mine", response=list[MyCredentialOut], auth=signed_in)
def my_credentials(request: AuthenticatedHttpRequest) -> list[MyCredentialOut]:
    return [_my_credential(c) for c in selectors.credentials_of_holder(request.user)]


@router.get("/registry", response=list[RegistryEntryOut], auth=None)
def registry(request: HttpRequest, q: str = "", type: str = "",
             region: str = "", limit: PageSize = 50, offset: Offset = 0) -> list[RegistryEntryOut]:
    results = selectors.registry_search(query=q[:100], type_slug=type, region=region[:50])
    return [_registry_entry(c) for c in results[offset:offset + limit]]


def _registry_entry(c: Credential) -> RegistryEntryOut:
    holder = c.holder
    assert holder is not None  # the registry lists people (registry_search)
    return RegistryEntryOut(
        number=c.number, type=c.credential_type.slug, type_name=c.credential_type.name,
        holder_name_zh=holder.name_zh, holder_name_en=holder.name_en,
        organisation=holder.organisation.name if holder.organisation else None,
        region=holder.organisation.region if holder.organisation else None,
        expires_on=c.expires_on,
    )


# --------------------------------------------------------------------------- holders


class ShareLinkOut(Schema):
    number: str
    url: str = Field(description="The public verification page (what the QR code opens)")


class RegistryListingIn(Schema):
    listed: bool


class EducationOut(Schema):
    id: int
    evidence_url: str = Field(description="The evidence file (GET with the token)")
    title: str
    provider: str
    completed_on: dt.date
    hours: Decimal
    status: str
    review_note: str
    created_at: dt.datetime


class EducationIn(Schema):
    title: str
    provider: str = ""
    completed_on: dt.date
    hours: Decimal


class PositionIn(Schema):
    organisation_name: str
    role: str
    start_date: dt.date
    end_date: dt.date | None = None
    centre_type: str
    seats_managed: int
    management_level: int


class ReviewIn(Schema):
    title: str
    organisation_name: str
    role: str
    year: int


class ApplicationIn(Schema):
    positions: list[PositionIn] = Field(description="Work history: at least one position")
    reviews: list[ReviewIn] = []
    attested: bool = Field(description="I confirm that this work history is true and complete")


class ApplicationOut(Schema):
    id: int
    status: str
    submitted_at: dt.datetime
    decided_at: dt.datetime | None
    reviewer_credential: str | None


def _viewable(request: AuthenticatedHttpRequest, credential_id: int) -> Credential:
    """The page's rule (`selectors.credential_for_viewer`): anyone else gets 404."""
    credential = selectors.credential_for_viewer(user=request.user, pk=credential_id)
    if credential is None:
        raise HttpError(404, _("Not found."))
    return credential


def _invalid(form: Any) -> Status[ErrorOut]:
    return Status(400, form_error(form))


def _refused(error: services.CertificationError) -> Status[ErrorOut]:
    return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))


def _education_out(record: ContinuingEducation) -> EducationOut:
    return EducationOut(id=record.pk, title=record.title, provider=record.provider,
                        evidence_url=reverse("api-v1:certification_education_evidence",
                                             kwargs={"record_id": record.pk}),
                        completed_on=record.completed_on, hours=record.hours,
                        status=record.status, review_note=record.review_note,
                        created_at=record.created_at)


@router.get("/mine/{credential_id}/certificate.pdf", url_name="certification_pdf",
            response={202: PreparingOut, 404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi("application/pdf", "The certificate (PDF)"))
def certificate_pdf(request: AuthenticatedHttpRequest, credential_id: ObjectId
                    ) -> FileResponse | Status[PreparingOut]:
    """The certificate PDF, streamed to its holder. One not yet rendered (or out of date after
    a name correction or a renewal) is queued: 202 with Retry-After until it is ready."""
    credential = _viewable(request, credential_id)
    ready = services.credential_pdf_request(credential_id=credential.pk)
    if ready is None:
        return Status(202, PreparingOut(
            detail=_("The PDF of certificate %(number)s is being generated.")
            % {"number": credential.number}, retry_after=FILE_PREPARING_REFRESH_SECONDS))
    response = FileResponse(ready.pdf.open("rb"), filename=f"{credential.number}.pdf",
                            content_type="application/pdf", as_attachment=True)
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/mine/{credential_id}/share", response={200: ShareLinkOut, 404: ErrorOut},
            auth=signed_in)
def share_link(request: AuthenticatedHttpRequest, credential_id: ObjectId) -> ShareLinkOut:
    """The link a holder shares (a CV, an employer): the public verification page."""
    credential = _viewable(request, credential_id)
    return ShareLinkOut(number=credential.number, url=credential.verification_url())


@router.put("/mine/{credential_id}/registry",
            response={200: MyCredentialOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def registry_listing(request: AuthenticatedHttpRequest, credential_id: ObjectId,
                     payload: RegistryListingIn) -> Status:
    """List me in the public registry, or take me off it (only the holder may)."""
    credential = _viewable(request, credential_id)
    try:
        credential = services.credential_registry_listing_set(
            credential=credential, holder=request.user, listed=payload.listed)
    except services.CertificationError as error:
        return Status(403, ErrorOut(code="not_holder", detail=" ".join(error.messages)))
    return Status(200, _my_credential(credential))


@router.get("/mine/{credential_id}/education", response={200: list[EducationOut], 404: ErrorOut},
            auth=signed_in)
def education_list(request: AuthenticatedHttpRequest,
                   credential_id: ObjectId) -> list[EducationOut]:
    """The continuing-education hours recorded on my credential, newest first."""
    credential = _viewable(request, credential_id)
    return [_education_out(r)
            for r in credential.education_records.order_by("-completed_on", "-pk")]


@router.post("/mine/{credential_id}/education",
             response={201: EducationOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def education_add(request: AuthenticatedHttpRequest, credential_id: ObjectId,
                  payload: Form[EducationIn], evidence: File[UploadedFile]) -> Status:
    """Record hours with their evidence file (multipart): the web form's checks (PDF, PNG or
    JPEG by content, at most 5 MB; 0.5 to 200 hours; not in the future). They count once a
    certification admin approves them."""
    credential = _viewable(request, credential_id)
    form = EducationForm(data={**payload.dict(), "completed_on": payload.completed_on.isoformat(),
                               "hours": str(payload.hours)},
                         files=MultiValueDict({"evidence": [evidence]}))
    if not form.is_valid():
        return _invalid(form)
    try:
        record = services.credential_education_add(credential=credential, holder=request.user,
                                                   **form.cleaned_data)
    except services.CertificationError as error:
        return _refused(error)
    return Status(201, _education_out(record))


@router.get("/education/{record_id}/evidence", url_name="certification_education_evidence",
            response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi("application/octet-stream", "The evidence file"))
def education_evidence(request: AuthenticatedHttpRequest, record_id: ObjectId) -> FileResponse:
    """The evidence of hours I recorded (or that I review), streamed; 404 for anyone else."""
    record = selectors.education_evidence_for_viewer(user=request.user, pk=record_id)
    if record is None:
        raise HttpError(404, _("Not found."))
    extension = (record.evidence.name or "").rsplit(".", 1)[-1]
    response = FileResponse(record.evidence.open("rb"), as_attachment=True,
                            filename=f"evidence-{record.pk}.{extension}")
    response["Cache-Control"] = "private, no-store"
    return response


def _formset_data(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """JSON rows as the POST data of the page's formset, so the page's validation applies."""
    data: dict[str, Any] = {f"{prefix}-TOTAL_FORMS": str(len(rows)),
                            f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)
    return data


def _application_out(application: ReviewerApplication) -> ApplicationOut:
    return ApplicationOut(
        id=application.pk, status=application.status, submitted_at=application.submitted_at,
        decided_at=application.decided_at,
        reviewer_credential=application.reviewer_credential.number
        if application.reviewer_credential else None)


@router.get("/applications", response=list[ApplicationOut], auth=signed_in)
def applications_mine(request: AuthenticatedHttpRequest) -> list[ApplicationOut]:
    """My applications to become a registered reviewer, newest first."""
    return [_application_out(a) for a in selectors.reviewer_applications_of(request.user)]


@router.post("/applications", response={201: ApplicationOut, 400: ErrorOut, 403: ErrorOut},
             auth=signed_in)
def application_submit(request: AuthenticatedHttpRequest, payload: ApplicationIn) -> Status:
    """Apply to become a registered reviewer with my work history (a coordinator with an active
    credential; one application under consideration at a time). The page's forms check it."""
    if services.credential_valid_for(request.user, CredentialType.COORDINATOR) is None:
        return Status(403, ErrorOut(code="not_coordinator", detail=_(
            "Only a coordinator with an active credential can apply.")))
    positions = PositionFormSet(_formset_data("positions", [p.dict() for p in payload.positions]),
                                prefix="positions")
    reviews = ReviewFormSet(_formset_data("reviews", [r.dict() for r in payload.reviews]),
                            prefix="reviews")
    attest = AttestForm({"attested": "on" if payload.attested else ""})
    for form in (positions, reviews, attest):
        if not form.is_valid():
            return _invalid(form)
    try:
        application = services.reviewer_application_submit(
            applicant=request.user,
            positions=[f.cleaned_data for f in positions.forms if f.cleaned_data],
            reviews=[f.cleaned_data for f in reviews.forms if f.cleaned_data],
            attested=attest.cleaned_data["attested"],
        )
    except services.CertificationError as error:
        return _refused(error)
    return Status(201, _application_out(application))


# --------------------------------------------------------------------------- staff


class StatusChangeIn(Schema):
    action: str = Field(description='"suspend", "reinstate" or "revoke"')
    reason: str
    reason_public: bool = Field(False, description="Show the reason on the public "
                                "verification page")


class StaffCredentialOut(Schema):
    id: int
    number: str
    holder_name_zh: str
    status: str
    status_since: dt.datetime | None
    status_reason: str
    status_reason_public: bool


@router.post("/staff/credentials/{credential_id}/status",
             response={200: StaffCredentialOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_status_change(request: AuthenticatedHttpRequest, credential_id: ObjectId,
                        payload: StatusChangeIn) -> Status:
    """Suspend, reinstate or revoke a credential with a reason (certification admins): only the
    transitions the current status allows; audited and emailed to the holder, as on the page."""
    permission_check(request, STAFF_STATUS_PERM)
    credential = selectors.credential_for_staff(pk=credential_id)
    if credential is None:
        return Status(404, ErrorOut(code="not_found", detail=_("Not found.")))
    form = StatusChangeForm({"action": payload.action, "reason": payload.reason,
                             "reason_public": "on" if payload.reason_public else ""},
                            credential=credential)
    if not form.is_valid():
        return _invalid(form)
    try:
        credential = services.credential_status_set(
            credential=credential, actor=request.user, action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
            reason_public=form.cleaned_data["reason_public"])
    except services.CertificationError as error:
        return _refused(error)
    return Status(200, StaffCredentialOut(
        id=credential.pk, number=credential.number, holder_name_zh=credential.holder_names()[0],
        status=credential.status, status_since=credential.status_changed_at,
        status_reason=credential.status_reason,
        status_reason_public=credential.status_reason_public))


# --------------------------------------------------------------------------- Open Badges 3.0


class BadgeCheckOut(Schema):
    valid: bool = Field(description="Signature valid, status active and not expired")
    signature_valid: bool
    problem: str = Field(description="Why the signature or the document is not valid")
    problem_code: str = Field(description="no_proof, signature_mismatch, unknown_key, "
                              "foreign_issuer, unknown_context, not_openbadge, …; empty if valid")
    issuer_id: str
    issuer_name: str
    issued_here: bool
    name: str
    number: str
    status: str = Field(description="active, suspended or revoked (read from the status lists "
                        "now); unknown when the signature is not valid")
    valid_from: dt.datetime | None
    valid_until: dt.datetime | None
    expired: bool
    verification_url: str | None = Field(description="The credential's verification page")


@router.get("/mine/{credential_id}/openbadge.json", url_name="certification_openbadge",
            response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi("application/ld+json", "The signed OpenBadgeCredential"))
def openbadge_json(request: AuthenticatedHttpRequest, credential_id: ObjectId) -> HttpResponse:
    """My credential as a signed Open Badges 3.0 credential (eddsa-rdfc-2022): the page's
    download (`/credentials/<id>/openbadge.json`), for the same people."""
    return credential_openbadge_json(request, _viewable(request, credential_id).pk)


@router.get("/mine/{credential_id}/badge.png", url_name="certification_badge_png",
            response={404: ErrorOut}, auth=signed_in,
            openapi_extra=file_openapi("image/png", "The baked badge"))
def badge_png(request: AuthenticatedHttpRequest, credential_id: ObjectId) -> HttpResponse:
    """The badge image with the signed credential baked into its iTXt chunk."""
    return credential_badge_png(request, _viewable(request, credential_id).pk)


@router.post("/openbadge/verify", response={200: BadgeCheckOut, 400: ErrorOut, 429: ErrorOut},
             auth=None)
def verify_openbadge(request: HttpRequest, response: HttpResponse,
                     badge: File[UploadedFile]) -> Status:
    """Check an Open Badges 3.0 credential of this centre (multipart `badge`: its JSON, at most
    256 KB, or a baked PNG, at most 2 MB): the proof, the issuer, the status from the status
    lists now and the validity period. Rate-limited like lookups by number (429, Retry-After)."""
    if not badge_check_allowed(request):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return Status(429, ErrorOut(detail="Too many checks; try again in a minute.",
                                    code="rate_limited"))
    try:
        data = bounded_read(badge, limits=UploadLimits(
            max_bytes=settings.OPENBADGES_UPLOAD_PNG_MAX_BYTES))
        check = badge_check(document_from_upload(data))
    except BadgeUnreadable as error:
        return Status(400, ErrorOut(detail=error.message, code=error.code))
    except UploadRefused as error:
        return Status(400, ErrorOut(detail=" ".join(error.messages), code="too_large"))
    return Status(200, BadgeCheckOut(
        valid=check.valid, signature_valid=check.signature_valid, problem=check.problem,
        problem_code=check.problem_code, issuer_id=check.issuer_id,
        issuer_name=check.issuer_name, issued_here=check.issued_here, name=check.name,
        number=check.number, status=check.status if check.signature_valid else "unknown",
        valid_from=check.valid_from, valid_until=check.valid_until, expired=check.expired,
        verification_url=check.credential.verification_url()
        if check.signature_valid and check.credential else None))
