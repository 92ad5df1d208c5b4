"""The emails of the certification scheme: to a holder about their credential, to an applicant
about their application, each in the recipient's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from core.services import email_send_templated

from ..models import Credential, ReviewerApplication


def email_holder(credential: Credential, template_prefix: str, **extra: Any) -> None:
    holder = credential.holder
    if not holder.email:
        return
    email_send_templated(
        to=[holder.email],
        template_prefix=template_prefix,
        context={
            "credential": credential,
            "holder_name": holder.display_name,
            "type_name": credential.credential_type.name,
            "verification_url": credential.verification_url(),
            "dashboard_url": settings.SITE_URL.rstrip("/") + "/credentials/",
            **extra,
        },
        language=holder.language,
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
