"""Renewal: continuing-education hours recorded by the holder and reviewed by the certification
admins, renewal by those hours, and the reminders before expiry. (Renewal by re-examination
happens when a pass arrives: `issuance.credential_issue_for_pass`.)"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.services import audit_record

from ..errors import CertificationError
from ..models import (
    ContinuingEducation,
    Credential,
    CredentialRenewal,
    CredentialStatus,
    EducationStatus,
    RenewalMethod,
)
from ..selectors import credential_education_hours
from .credential_pdf import credential_pdf_queue
from .issuance import add_years
from .notifications import email_holder


def credential_renewal_window_opens(credential: Credential) -> dt.date:
    return credential.expires_on - dt.timedelta(days=settings.CERTIFICATION_RENEWAL_WINDOW_DAYS)



def credential_education_add(*, credential: Credential, holder: User, title: str,
                             provider: str, completed_on: dt.date, hours: Decimal,
                             evidence: UploadedFile) -> ContinuingEducation:
    """Record hours with their evidence; they count once a certification admin approves them."""
    if credential.holder_id != holder.pk:
        raise CertificationError(_("You can only record hours on your own credential."))
    if completed_on > timezone.localdate():
        raise CertificationError(_("The completion date cannot be in the future."))
    record = ContinuingEducation(credential=credential, title=title, provider=provider,
                                 completed_on=completed_on, hours=hours, evidence=evidence)
    record.full_clean()
    record.save()
    audit_record(actor=holder, action="certification.education.submitted", target=credential,
                 data={"record": record.pk, "hours": str(hours)})
    return record


def credential_education_review(*, record_id: int, actor: User, approve: bool,
                                note: str = "") -> ContinuingEducation:
    """Approve or reject hours awaiting review (a rejection says why); audited, the holder is
    emailed. A record already decided is not decided again."""
    note = note.strip()
    if not approve and not note:
        raise CertificationError(_("Say why the hours are rejected: the holder reads it."))
    with transaction.atomic():
        record = ContinuingEducation.objects.select_for_update(of=("self",)).select_related(
            "credential__holder", "credential__credential_type").get(pk=record_id)
        if record.status != EducationStatus.PENDING:
            raise CertificationError(_("These hours have already been reviewed."))
        record.status = EducationStatus.APPROVED if approve else EducationStatus.REJECTED
        record.reviewed_by = actor
        record.reviewed_at = timezone.now()
        record.review_note = note
        record.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit_record(actor=actor, action=f"certification.education.{record.status}",
                     target=record.credential, reason=note,
                     data={"record": record.pk, "hours": str(record.hours)})
        email_holder(record.credential, "certification/email/education_reviewed",
                      record=record, approved=approve, note=note)
    return record


def credential_renew_by_education(*, credential: Credential, actor: User,
                                  today: dt.date | None = None) -> Credential:
    """Extend by one validity period when the type renews by hours, the window is open
    (90 days before expiry until the grace period after it ends) and the hours are complete."""
    today = today or timezone.localdate()
    with transaction.atomic():
        credential = Credential.objects.select_for_update(of=("self",)).select_related(
            "credential_type", "holder").get(pk=credential.pk)
        ctype = credential.credential_type
        if credential.holder_id != actor.pk:
            raise CertificationError(_("You can only renew your own credential."))
        if not ctype.renews_by_cpd:
            raise CertificationError(_("This credential is renewed by re-examination."))
        if credential.status != CredentialStatus.ACTIVE:
            raise CertificationError(_("Only an active credential can be renewed."))
        grace_end = credential.expires_on + dt.timedelta(
            days=settings.CERTIFICATION_RENEWAL_GRACE_DAYS)
        if not credential_renewal_window_opens(credential) <= today <= grace_end:
            raise CertificationError(
                _("Renewal opens on %(date)s.") % {"date": credential_renewal_window_opens(
                    credential).isoformat()})
        hours = credential_education_hours(credential)
        if hours < ctype.cpd_hours_required:
            raise CertificationError(
                _("%(done)s of %(required)s continuing education hours are recorded.")
                % {"done": hours.quantize(Decimal("0.1")), "required": ctype.cpd_hours_required})
        previous = credential.expires_on
        credential.expires_on = add_years(previous, ctype.validity_years)
        credential.save(update_fields=["expires_on"])
        CredentialRenewal.objects.create(credential=credential, method=RenewalMethod.CPD,
                                         previous_expires_on=previous,
                                         new_expires_on=credential.expires_on)
        audit_record(actor=actor, action="certification.credential.renewed", target=credential,
                     data={"method": "cpd", "hours": str(hours), "from": previous.isoformat(),
                           "to": credential.expires_on.isoformat()})
        credential_pdf_queue(credential.pk, force=True)
    return credential


def credential_reminders_send(*, today: dt.date | None = None) -> int:
    """Email holders 90 and 30 days before expiry; each reminder once per expiry date."""
    today = today or timezone.localdate()
    sent = 0
    candidates = Credential.objects.filter(
        status=CredentialStatus.ACTIVE, expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=90),
    ).values_list("pk", flat=True)
    for pk in candidates:
        with transaction.atomic():
            credential = Credential.objects.select_for_update(of=("self",)).select_related(
                "holder", "organisation", "credential_type").get(pk=pk)
            days_left = (credential.expires_on - today).days
            field = "reminder_30_sent_for" if days_left <= 30 else "reminder_90_sent_for"
            if getattr(credential, field) == credential.expires_on:
                continue
            setattr(credential, field, credential.expires_on)
            if field == "reminder_30_sent_for":  # a late 30-day reminder covers the 90-day one
                credential.reminder_90_sent_for = credential.expires_on
            credential.save(update_fields=["reminder_30_sent_for", "reminder_90_sent_for"])
            email_holder(credential, "certification/email/renewal_reminder",
                          days_left=days_left)
            sent += 1
    return sent
