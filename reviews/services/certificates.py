"""A certified centre's certificate: issued once the committee has decided to certify, then
suspended, reinstated or withdrawn with a reason. The certificate is certification's
credential, held by the organisation: its number, PDF, verification page, status services,
audit entries and emails are certification's, not copies of them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from certification.models import Credential, CredentialType
from certification.services import credential_issue, credential_status_set, credential_type_get
from cms.models import StandardVersionPage
from core.services import audit_record

from ..errors import ReviewError
from ..models import ProjectState, ReviewProject

# The reviews' name for each status change, and certification's.
CERTIFICATE_ACTIONS = {"suspend": "suspend", "reinstate": "reinstate", "withdraw": "revoke"}


def certificate_source_key(project: ReviewProject) -> str:
    return f"reviews.project:{project.pk}"


def standard_title_of(version: StandardVersionPage) -> str:
    """The version as the certificate prints it: 《title》 (code)."""
    title = f"《{version.title}》"
    return f"{title}（{version.code}）" if version.code else title


def project_certificate_issue(*, project: ReviewProject, actor: User | None,
                              today: dt.date | None = None) -> Credential:
    """Issue the certificate of a project the committee decided to certify: a certified-centre
    credential for the organisation, its scope and standard version captured, numbered from
    certification's shared counter, valid `validity_years` of its type from `today`. The project
    becomes certificate_issued; audited; certification emails the organisation's contacts and
    renders the PDF. A second call returns the same certificate."""
    today = today or timezone.localdate()
    with transaction.atomic():
        project = (ReviewProject.objects.select_for_update(of=("self",))
                   .select_related("organisation", "standard_version")
                   .get(pk=project.pk))
        if project.certificate_id is not None:
            # Read apart from the lock: a row joined to the locked one comes from the snapshot
            # taken before the wait, without the certificate a concurrent call just issued.
            return Credential.objects.select_related("credential_type", "organisation").get(
                pk=project.certificate_id)
        if project.state != ProjectState.CERTIFIED:
            raise ReviewError(_("Only a project the committee has decided to certify gets a "
                                "certificate."))
        credential, _created = credential_issue(
            credential_type=credential_type_get(CredentialType.CERTIFIED_CENTRE),
            organisation=project.organisation, source_key=certificate_source_key(project),
            scope=project.scope, standard_title=standard_title_of(project.standard_version),
            issued_on=today, actor=actor,
        )
        project.certificate = credential
        project.state = ProjectState.CERTIFICATE_ISSUED
        project.save(update_fields=["certificate", "state", "updated_at"])
        audit_record(actor=actor, action="reviews.certificate.issued", target=project,
                     data={"credential": credential.pk, "number": credential.number})
    return credential


def project_certificate_status_set(*, project: ReviewProject, actor: User, action: str,
                                   reason: str, reason_public: bool = False) -> Credential:
    """Suspend, reinstate or withdraw a project's certificate with a reason, through
    certification's status service (only the transitions it allows; audited; the organisation's
    contacts are emailed; verification shows the new status at once)."""
    if action not in CERTIFICATE_ACTIONS:
        raise ReviewError(_("Choose suspend, reinstate or withdraw."))
    certificate = (Credential.objects.select_related("credential_type", "organisation")
                   .filter(review_project=project).first())
    if certificate is None:
        raise ReviewError(_("This project has no certificate."))
    return credential_status_set(credential=certificate, actor=actor,
                                 action=CERTIFICATE_ACTIONS[action], reason=reason,
                                 reason_public=reason_public)
