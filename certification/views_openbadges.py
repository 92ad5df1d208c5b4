"""Open Badges pages and documents: the issuer's DID document, the status lists, a credential's
JSON and baked PNG (for those who may see the credential), its badge page with the LinkedIn
button, and the upload on the verification page. Thin: the documents come from
`certification.openbadges`, the status from the credentials (`selectors`)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.ratelimit import RETRY_AFTER_SECONDS
from core.typing import AuthenticatedHttpRequest
from core.uploads import UploadLimits, UploadRefused, bounded_read

from . import selectors, services
from .forms import BadgeUploadForm
from .models import Credential, CredentialType
from .openbadges import documents
from .openbadges.baking import png_bake
from .openbadges.verify import BadgeCheck, BadgeUnreadable, badge_check, document_from_upload
from .verification import badge_check_allowed

LD_JSON = "application/ld+json"


def _json(document: dict[str, Any], *, content_type: str = LD_JSON,
          max_age: int | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=2),
                            content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"  # public documents verifiers fetch
    if max_age is not None:
        response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def did_document(request: HttpRequest) -> HttpResponse:
    """/.well-known/did.json: the issuer `did:web:<host>` with every published key."""
    return _json(documents.did_document(), content_type="application/did+ld+json",
                 max_age=settings.OPENBADGES_STATUS_LIST_MAX_AGE)


def status_list(request: HttpRequest, purpose: str) -> HttpResponse:
    """/credentials/status/<revocation|suspension>/: signed, derived from the credentials now."""
    if purpose not in documents.PURPOSES:
        raise Http404
    document = documents.status_list_signed(purpose, selectors.status_list_indexes_set(purpose))
    return _json(document, content_type="application/vc+ld+json",
                 max_age=settings.OPENBADGES_STATUS_LIST_MAX_AGE)


def achievement(request: HttpRequest, slug: str) -> HttpResponse:
    """/credentials/achievements/<type>: what each credential type certifies (the `id` of the
    badges' achievement)."""
    kind = CredentialType.objects.filter(slug=slug).first()
    if kind is None:
        raise Http404
    sample = Credential(credential_type=kind)
    return _json({"@context": list(documents.CREDENTIAL_CONTEXT),
                  **documents.achievement(sample)}, max_age=3600)


def openbadge_document(credential: Credential) -> dict[str, Any]:
    """The signed credential (its index and salt allocated on first use)."""
    credential = services.credential_openbadge_prepare(credential=credential)
    return documents.openbadge_signed(credential, now=timezone.now())


def linkedin_add_url(credential: Credential) -> str:
    """LinkedIn's add-to-profile link for a certification, with the verification URL and the
    credential's number."""
    kind = credential.credential_type
    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME",
        "name": " ".join(part for part in (kind.name, kind.name_en) if part),
        "organizationName": settings.CERTIFICATION_ISSUING_BODY,
        "issueYear": credential.issued_on.year,
        "issueMonth": credential.issued_on.month,
        "expirationYear": credential.expires_on.year,
        "expirationMonth": credential.expires_on.month,
        "certUrl": credential.verification_url(),
        "certId": credential.number,
    })


def _viewable(request: AuthenticatedHttpRequest, pk: int) -> Credential:
    credential = selectors.credential_for_viewer(user=request.user, pk=pk)
    if credential is None:
        raise Http404
    return credential


@login_required
def credential_openbadge_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = _viewable(request, pk)
    response = _json(openbadge_document(credential))
    response["Content-Disposition"] = f'attachment; filename="{credential.number}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def credential_badge_png(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    credential = _viewable(request, pk)
    baked = png_bake(json.dumps(openbadge_document(credential), ensure_ascii=False))
    response = HttpResponse(baked, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{credential.number}.png"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def credential_badge_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The badge of one credential: downloads and the LinkedIn button, for the holder and, for
    a certified centre, the organisation's people."""
    credential = _viewable(request, pk)
    return render(request, "certification/openbadge.html", {
        "credential": credential, "linkedin_url": linkedin_add_url(credential)})


@require_http_methods(["GET", "POST"])
def verify_openbadge(request: HttpRequest) -> HttpResponse:
    """/credentials/verify/badge/: anyone uploads a badge (JSON or baked PNG) and sees whether
    its signature holds, who issued it, its status now and its validity."""
    check: BadgeCheck | None = None
    form = BadgeUploadForm()
    status = 200
    if request.method == "POST":
        if not badge_check_allowed(request):
            response = render(request, "certification/verify_limited.html", status=429)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        form = BadgeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                data = bounded_read(form.cleaned_data["badge"], limits=UploadLimits(
                    max_bytes=settings.OPENBADGES_UPLOAD_PNG_MAX_BYTES))
                check = badge_check(document_from_upload(data))
            except BadgeUnreadable as error:
                form.add_error("badge", error.message)
            except UploadRefused as error:
                form.add_error("badge", error.messages[0])
        if not form.is_valid() or check is None:
            status = 400
    return render(request, "certification/verify_badge.html",
                  {"form": form, "check": check}, status=status)
