"""Status changes of a credential: suspension, reinstatement and revocation by the
certification admins, and the automatic suspension when a regrade withdraws the pass behind it;
the holder's registry listing."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import user_role_revoke
from core.models import AuditEntry
from core.services import audit_record

from ..errors import CertificationError
from ..models import Credential, CredentialRenewal, CredentialStatus
from .notifications import email_holder

logger = logging.getLogger(__name__)


_STATUS_ACTIONS = {
    # action: (allowed from, to, audit verb)
    "suspend": ({CredentialStatus.ACTIVE}, CredentialStatus.SUSPENDED, "suspended"),
    "reinstate": ({CredentialStatus.SUSPENDED}, CredentialStatus.ACTIVE, "reinstated"),
    "revoke": ({CredentialStatus.ACTIVE, CredentialStatus.SUSPENDED}, CredentialStatus.REVOKED,
               "revoked"),
}


def _credential_status_change(
    *, credential: Credential, actor: User | None, action: str, reason: str, reason_public: bool,
    cause: str = "",
) -> Credential:
    """`cause` names an automatic change (for example PASS_WITHDRAWN); admins' changes have none."""
    allowed_from, new_status, verb = _STATUS_ACTIONS[action]
    if not reason.strip():
        raise CertificationError(_("Give a reason for the change."))
    with transaction.atomic():
        credential = Credential.objects.select_for_update(of=("self",)).select_related(
            "holder", "organisation", "credential_type").get(pk=credential.pk)
        if credential.status not in allowed_from:
            raise CertificationError(
                _("This credential is %(status)s; it cannot be changed that way.")
                % {"status": credential.get_status_display()}
            )
        previous = credential.status
        credential.status = new_status
        credential.status_changed_at = timezone.now()
        credential.status_reason = reason.strip()
        credential.status_reason_public = reason_public and new_status != CredentialStatus.ACTIVE
        credential.save(update_fields=["status", "status_changed_at", "status_reason",
                                       "status_reason_public"])
        audit_record(actor=actor, action=f"certification.credential.{verb}", target=credential,
                     reason=reason.strip(),
                     data={"from": previous, "to": new_status, "reason_public": reason_public,
                           **({"cause": cause} if cause else {})})
        if (new_status == CredentialStatus.REVOKED and credential.holder is not None
                and credential.credential_type.role):
            still_holds = Credential.objects.filter(
                holder=credential.holder, credential_type=credential.credential_type,
            ).exclude(status=CredentialStatus.REVOKED).exists()
            if not still_holds:
                user_role_revoke(user=credential.holder, role=credential.credential_type.role,
                                 revoked_by=actor, reason=f"credential {credential.number} revoked")
        email_holder(credential, "certification/email/status_changed",
                      new_status=CredentialStatus(credential.status).label, reason=reason.strip())
    return credential


def credential_suspend(*, credential: Credential, actor: User, reason: str,
                       reason_public: bool = False) -> Credential:
    return _credential_status_change(credential=credential, actor=actor, action="suspend",
                                     reason=reason, reason_public=reason_public)


def credential_reinstate(*, credential: Credential, actor: User, reason: str) -> Credential:
    return _credential_status_change(credential=credential, actor=actor, action="reinstate",
                                     reason=reason, reason_public=False)


def credential_revoke(*, credential: Credential, actor: User, reason: str,
                      reason_public: bool = False) -> Credential:
    return _credential_status_change(credential=credential, actor=actor, action="revoke",
                                     reason=reason, reason_public=reason_public)


def credential_warn(*, credential: Credential, actor: User, reason: str) -> Credential:
    """A recorded warning on the credential that does not change its status: an audit entry
    (`certification.credential.warned`, shown in the credential's history with its reason) and
    an email to the holder. Only an active or suspended credential is warned."""
    if not reason.strip():
        raise CertificationError(_("Give a reason for the warning."))
    with transaction.atomic():
        credential = Credential.objects.select_for_update(of=("self",)).select_related(
            "holder", "organisation", "credential_type").get(pk=credential.pk)
        if credential.status not in (CredentialStatus.ACTIVE, CredentialStatus.SUSPENDED):
            raise CertificationError(
                _("This credential is %(status)s; it cannot be changed that way.")
                % {"status": credential.get_status_display()}
            )
        audit_record(actor=actor, action="certification.credential.warned", target=credential,
                     reason=reason.strip(), data={"status": credential.status})
        email_holder(credential, "certification/email/warned", reason=reason.strip())
    return credential


def credential_registry_listing_set(*, credential: Credential, holder: User,
                                    listed: bool) -> Credential:
    if credential.holder_id != holder.pk:
        raise CertificationError(_("Only the holder can change the registry listing."))
    credential.registry_listed = listed
    credential.save(update_fields=["registry_listed"])
    return credential


PASS_WITHDRAWN = "exams.pass_withdrawn"  # noqa: S105 (an audit cause, not a secret)


def _suspended_for_withdrawn_pass(credential: Credential) -> bool:
    """Suspended, and the last status change was the automatic one for a withdrawn pass (not
    a decision an admin has taken since)."""
    if credential.status != CredentialStatus.SUSPENDED:
        return False
    last_change = (
        AuditEntry.objects.for_object(credential)
        .filter(action__in=[f"certification.credential.{verb}"
                            for _from, _to, verb in _STATUS_ACTIONS.values()])
        .order_by("-created_at", "-pk").first()
    )
    return last_change is not None and last_change.data.get("cause") == PASS_WITHDRAWN


def credential_pass_withdrawn(*, source_key: str, exam_score: Decimal | str | None,
                              reason: str) -> str:
    """A regrade turned the pass behind `source_key` into a fail. A credential issued for it is
    suspended pending the certification admins' review (they reinstate or revoke it); a renewal
    it gave is flagged in the audit log for them. Safe to run twice. Returns what was done:
    "suspended", "renewal-flagged" or "nothing"."""
    score = f"{Decimal(str(exam_score)):.2f}%" if exam_score is not None else "?"
    credential = Credential.objects.filter(source_key=source_key).first()
    if credential is not None:
        if credential.status != CredentialStatus.ACTIVE:
            return "nothing"
        _credential_status_change(
            credential=credential, actor=None, action="suspend", reason_public=False,
            reason=_("The exam result behind this credential was regraded to %(score)s, below "
                     "the pass mark (%(why)s). Suspended until the certification centre has "
                     "reviewed it.") % {"score": score, "why": reason},
            cause=PASS_WITHDRAWN,
        )
        return "suspended"
    renewal = CredentialRenewal.objects.filter(source_key=source_key).first()
    if renewal is None:
        return "nothing"
    if not AuditEntry.objects.filter(action="certification.renewal.pass_withdrawn",
                                     data__source=source_key).exists():
        audit_record(actor=None, action="certification.renewal.pass_withdrawn",
                     target=renewal.credential, reason=reason,
                     data={"source": source_key, "score": score,
                           "renewed_to": renewal.new_expires_on.isoformat()})
        logger.warning("certification: renewal of %s rests on a withdrawn pass (%s)",
                       renewal.credential.number, source_key)
    return "renewal-flagged"


def credential_pass_restored(*, credential: Credential, score: Decimal | None) -> Credential:
    """A further regrade made the pass behind `credential` a pass again: reinstate it when it
    is still suspended by the automatic change for the withdrawn pass (an admin's decision since
    then stands)."""
    if _suspended_for_withdrawn_pass(credential):
        _credential_status_change(
            credential=credential, actor=None, action="reinstate", reason_public=False,
            reason=_("A further regrade made the exam result a pass again (%(score)s%%).")
            % {"score": score}, cause=PASS_WITHDRAWN)
    return credential


def credential_status_set(*, credential: Credential, actor: User, action: str, reason: str,
                          reason_public: bool = False) -> Credential:
    """A certification admin's change by its name ("suspend", "reinstate", "revoke"), for a
    caller that receives the action as data (the API): the same services as the staff page,
    so only the transitions `_STATUS_ACTIONS` allows, with the same audit entry and email."""
    if action == "suspend":
        return credential_suspend(credential=credential, actor=actor, reason=reason,
                                  reason_public=reason_public)
    if action == "reinstate":
        return credential_reinstate(credential=credential, actor=actor, reason=reason)
    if action == "revoke":
        return credential_revoke(credential=credential, actor=actor, reason=reason,
                                 reason_public=reason_public)
    raise CertificationError(_("Choose suspend, reinstate or revoke."))
