"""/api/v1/certification/: verify, my credentials, registry search."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

from core.api_auth import signed_in
from core.api_errors import ErrorOut
from core.bounds import Offset, PageSize
from core.typing import AuthenticatedHttpRequest

from . import selectors
from .models import Credential
from .views import lookup_allowed

router = Router(tags=["certification"])


class VerificationOut(Schema):
    number: str
    type: str
    type_name: str
    holder_name_zh: str
    holder_name_en: str
    issued_on: dt.date
    expires_on: dt.date
    status: str
    status_since: dt.datetime | None
    status_reason: str | None


class MyCredentialOut(Schema):
    number: str
    type: str
    type_name: str
    issued_on: dt.date
    expires_on: dt.date
    status: str
    verification_url: str
    pdf_url: str
    registry_listed: bool


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
    return VerificationOut(
        number=credential.number,
        type=credential.credential_type.slug,
        type_name=credential.credential_type.name,
        holder_name_zh=credential.holder.name_zh,
        holder_name_en=credential.holder.name_en,
        issued_on=credential.issued_on,
        expires_on=credential.expires_on,
        status=credential.live_status(),
        status_since=credential.status_changed_at if changed else None,
        status_reason=credential.status_reason
        if changed and credential.status_reason_public else None,
    )


@router.get("/verify/{number}", response={200: VerificationOut, 404: ErrorOut,
                                          429: ErrorOut}, auth=None)
def verify(request: HttpRequest, number: str, token: str | None = None) -> Status:
    """Verify by number (and the QR link's token, when given: a wrong token is "not found")."""
    if token is None:
        allowed = lookup_allowed(request, "number",
                                 settings.CERTIFICATION_VERIFY_NUMBER_PER_MINUTE)
    else:
        allowed = lookup_allowed(request, "link", settings.CERTIFICATION_VERIFY_LINK_PER_MINUTE)
    if not allowed:
        return Status(429, ErrorOut(detail="Too many lookups; try again in a minute.",
                                    code="rate_limited"))
    credential = (selectors.credential_public_by_number(number) if token is None
                  else selectors.credential_public_by_link(number, token))
    if credential is None:
        return Status(404, ErrorOut(detail="Not found.", code="not_found"))
    return Status(200, _verification(credential))


@router.get("/mine", response=list[MyCredentialOut], auth=signed_in)
def my_credentials(request: AuthenticatedHttpRequest) -> list[MyCredentialOut]:
    from django.urls import reverse

    return [
        MyCredentialOut(
            number=c.number, type=c.credential_type.slug, type_name=c.credential_type.name,
            issued_on=c.issued_on, expires_on=c.expires_on, status=c.live_status(),
            verification_url=c.verification_url(),
            pdf_url=reverse("certification:pdf", kwargs={"pk": c.pk}),
            registry_listed=c.registry_listed,
        )
        for c in selectors.credentials_of_holder(request.user)
    ]


@router.get("/registry", response=list[RegistryEntryOut], auth=None)
def registry(request: HttpRequest, q: str = "", type: str = "",
             region: str = "", limit: PageSize = 50, offset: Offset = 0) -> list[RegistryEntryOut]:
    results = selectors.registry_search(query=q[:100], type_slug=type, region=region[:50])
    return [
        RegistryEntryOut(
            number=c.number, type=c.credential_type.slug, type_name=c.credential_type.name,
            holder_name_zh=c.holder.name_zh, holder_name_en=c.holder.name_en,
            organisation=c.holder.organisation.name if c.holder.organisation else None,
            region=c.holder.organisation.region if c.holder.organisation else None,
            expires_on=c.expires_on,
        )
        for c in results[offset:offset + limit]
    ]
