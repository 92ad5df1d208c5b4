"""The emails of the certification scheme: to a holder about their credential (to an
organisation's contacts about its certificate), to an applicant about their application, each
in the recipient's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from core.services import email_send_templated

from ..contacts import organisation_contacts
from ..models import Credential, ReviewerApplication


def credential_recipients(credential: Credential) -> list[User]:
    """Whom a credential's emails go to: its holder, or the organisation's contacts."""
    if credential.organisation is not None:
        return organisation_contacts(credential.organisation)
    return [credential.holder] if credential.holder is not None else []


def email_holder(credential: Credential, template_prefix: str, **extra: Any) -> None:
    site = settings.SITE_URL.rstrip("/")
    # An organisation's people have no credentials page of their own: they get the PDF's link.
    dashboard_url = site + (reverse("certification:pdf", args=[credential.pk])
                            if credential.organisation_id else "/credentials/")
    for recipient in credential_recipients(credential):
        if not recipient.email:
            continue
        email_send_templated(
            to=[recipient.email],
            template_prefix=template_prefix,
            context={
                "credential": credential,
                "holder_name": recipient.display_name,
                "organisation": credential.organisation,
                "type_name": credential.credential_type.name,
                "verification_url": credential.verification_url(),
                "dashboard_url": dashboard_url,
                "badge_url": site + reverse("certification:badge", args=[credential.pk]),
                **extra,
            },
            language=recipient.language,
        )


def email_applicant(application: ReviewerApplication, template_prefix: str) -> None:
    email_send_templated(
        to=[application.applicant.email],
        template_prefix=template_prefix,
        context={
            "application": application,
            "holder_name": application.applicant.display_name,
            "reason": application.decision_reason,
            "credential": application.reviewer_credential,
            "dashboard_url": settings.SITE_URL.rstrip("/") + "/credentials/",
        },
        language=application.applicant.language,
    )
