"""Reviewer applications: a coordinator applies with their work history; the certification
admins set the ranking weights, promote (a reviewer credential and role) or decline."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.services import audit_record

from ..errors import CertificationError
from ..models import (
    ApplicationStatus,
    Credential,
    CredentialType,
    RankingWeights,
    ReviewerApplication,
    ReviewExperience,
    WorkPosition,
)
from ..selectors import credential_valid_for
from .issuance import credential_issue, credential_type_get
from .notifications import email_applicant


def reviewer_application_submit(
    *,
    applicant: User,
    positions: list[dict[str, Any]],
    reviews: list[dict[str, Any]],
    attested: bool,
) -> ReviewerApplication:
    """A coordinator with an active credential applies with their work history.

    positions: dicts with organisation_name, role, start_date, end_date (None if current),
    centre_type, seats_managed, management_level. reviews: title, organisation_name, role, year.
    """
    if not attested:
        raise CertificationError(_("Confirm that your work history is true and complete."))
    if not positions:
        raise CertificationError(_("Add at least one position."))
    today = timezone.localdate()
    for position in positions:
        end = position.get("end_date")
        if position["start_date"] > today or (end is not None and end < position["start_date"]):
            raise CertificationError(_("Check the dates of each position."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=applicant.pk).first()
        coordinator = credential_valid_for(applicant, CredentialType.COORDINATOR)
        if coordinator is None:
            raise CertificationError(
                _("Only a coordinator with an active credential can apply."))
        if credential_valid_for(applicant, CredentialType.REVIEWER) is not None:
            raise CertificationError(_("You are already a registered reviewer."))
        if ReviewerApplication.objects.filter(applicant=applicant,
                                              status=ApplicationStatus.PENDING).exists():
            raise CertificationError(_("You already have an application under consideration."))
        application = ReviewerApplication.objects.create(
            applicant=applicant, coordinator_credential=coordinator, attested=True)
        for position in positions:
            organisation, _created = Organisation.objects.get_or_create(
                name=position["organisation_name"].strip())
            WorkPosition.objects.create(
                application=application, organisation=organisation, role=position["role"],
                start_date=position["start_date"], end_date=position.get("end_date"),
                centre_type=position["centre_type"],
                seats_managed=position.get("seats_managed") or 0,
                management_level=position["management_level"],
            )
        for review in reviews:
            ReviewExperience.objects.create(application=application, **review)
        audit_record(actor=applicant, action="certification.application.submitted",
                     target=application)
    return application


def ranking_weights_update(*, actor: User, values: dict[str, Any]) -> RankingWeights:
    weights, _created = RankingWeights.objects.get_or_create(pk=1)
    before = {name: str(getattr(weights, name)) for name in values}
    for name, value in values.items():
        setattr(weights, name, value)
    weights.full_clean()
    weights.save()
    audit_record(actor=actor, action="certification.ranking_weights.updated", target=weights,
                 data={"from": before, "to": {k: str(v) for k, v in values.items()}})
    return weights


def reviewer_applications_promote(*, application_ids: list[int], actor: User,
                                  reason: str) -> list[Credential]:
    """Promote the chosen applicants to reviewer (all or none): each receives a reviewer
    credential and the reviewer role; the reason is recorded; each applicant is emailed."""
    if not reason.strip():
        raise CertificationError(_("Give a reason for the promotion."))
    if not application_ids:
        raise CertificationError(_("Choose at least one applicant."))
    reviewer_type = credential_type_get(CredentialType.REVIEWER)
    credentials = []
    with transaction.atomic():
        applications = list(
            ReviewerApplication.objects.select_for_update(of=("self",))
            .filter(pk__in=application_ids).select_related("applicant", "coordinator_credential")
            .order_by("pk")
        )
        if len(applications) != len(set(application_ids)):
            raise CertificationError(_("An application was not found."))
        for application in applications:
            if application.status != ApplicationStatus.PENDING:
                raise CertificationError(
                    _("The application of %(name)s has already been decided.")
                    % {"name": application.applicant.display_name})
            coordinator = credential_valid_for(application.applicant, CredentialType.COORDINATOR)
            if coordinator is None:
                raise CertificationError(
                    _("%(name)s has no active coordinator credential and cannot be promoted.")
                    % {"name": application.applicant.display_name})
            credential, _created = credential_issue(
                holder=application.applicant, credential_type=reviewer_type,
                source_key=f"certification.application:{application.pk}",
                exam_score=coordinator.exam_score, actor=actor, reason=reason.strip(),
            )
            application.status = ApplicationStatus.PROMOTED
            application.decided_at = timezone.now()
            application.decided_by = actor
            application.decision_reason = reason.strip()
            application.reviewer_credential = credential
            application.save(update_fields=["status", "decided_at", "decided_by",
                                            "decision_reason", "reviewer_credential"])
            audit_record(actor=actor, action="certification.application.promoted",
                         target=application, reason=reason.strip(),
                         data={"credential": credential.number})
            email_applicant(application, "certification/email/application_promoted")
            credentials.append(credential)
    return credentials


def reviewer_application_decline(*, application: ReviewerApplication, actor: User,
                                 reason: str) -> ReviewerApplication:
    if not reason.strip():
        raise CertificationError(_("Give a reason for declining."))
    with transaction.atomic():
        application = ReviewerApplication.objects.select_for_update(of=("self",)).select_related(
            "applicant").get(pk=application.pk)
        if application.status != ApplicationStatus.PENDING:
            raise CertificationError(_("This application has already been decided."))
        application.status = ApplicationStatus.DECLINED
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.decision_reason = reason.strip()
        application.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
        audit_record(actor=actor, action="certification.application.declined",
                     target=application, reason=reason.strip())
        email_applicant(application, "certification/email/application_declined")
    return application


def reviewer_applications_decline(*, application_ids: list[int], actor: User,
                                  reason: str) -> list[ReviewerApplication]:
    """Decline the chosen applicants (all or none): the reason is recorded and each applicant
    is emailed. Returns the applications declined."""
    if not reason.strip():
        raise CertificationError(_("Give a reason for declining."))
    if not application_ids:
        raise CertificationError(_("Choose at least one applicant."))
    with transaction.atomic():
        applications = list(
            ReviewerApplication.objects.select_for_update(of=("self",))
            .filter(pk__in=application_ids).order_by("pk")
        )
        if len(applications) != len(set(application_ids)):
            raise CertificationError(_("An application was not found."))
        return [reviewer_application_decline(application=application, actor=actor, reason=reason)
                for application in applications]
