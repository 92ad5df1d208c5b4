"""Issuing and numbering credentials: the credential types, the gap-free number counter, one
credential per source (a pass, a promotion), and what a pass does to a holder's coordinator
credential (issue, or renew by re-examination)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.services import user_role_grant
from core.services import audit_record

from ..errors import CertificationError
from ..models import (
    Credential,
    CredentialNumberCounter,
    CredentialRenewal,
    CredentialStatus,
    CredentialType,
    RenewalMethod,
)
from ..selectors import TWO_PLACES
from .credential_pdf import credential_pdf_queue
from .notifications import email_holder
from .openbadges import credential_openbadge_prepare
from .status import credential_pass_restored

CREDENTIAL_TYPE_DEFAULTS: dict[str, dict[str, Any]] = {
    CredentialType.COORDINATOR: {"name": "注册协调员", "name_en": "Registered Coordinator",
                                 "number_code": "C", "role": "coordinator"},
    CredentialType.REVIEWER: {"name": "注册评审员", "name_en": "Registered Reviewer",
                              "number_code": "R", "role": "reviewer"},
    CredentialType.CERTIFIED_CENTRE: {"name": "认证呼叫中心", "name_en": "Certified Contact Centre",
                                      "number_code": "CC", "role": "",
                                      "renewal_method": RenewalMethod.REVIEW,
                                      "cpd_hours_required": Decimal("0.0")},
}


def credential_type_get(slug: str) -> CredentialType:
    """The credential type (created with the defaults of its data migration if it is missing)."""
    credential_type, _created = CredentialType.objects.get_or_create(
        slug=slug, defaults=CREDENTIAL_TYPE_DEFAULTS[slug])
    return credential_type


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year + years, day=28)


def credential_expiry_for(*, credential_type: CredentialType, issued_on: dt.date) -> dt.date:
    """Valid for `validity_years` full years: issued 2026-11-24, 3 years -> expires 2029-11-23."""
    return add_years(issued_on, credential_type.validity_years) - dt.timedelta(days=1)


def credential_number_next(*, credential_type: CredentialType, year: int) -> str:
    """The next number of this type and year, e.g. CCSO-C-2026-000123.

    The counter row is locked (SELECT ... FOR UPDATE) until the caller's transaction ends, so
    concurrent issuers queue behind each other and numbers are unique and gap-free.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("credential_number_next must run inside the issuing transaction")
    CredentialNumberCounter.objects.get_or_create(credential_type=credential_type, year=year)
    counter = CredentialNumberCounter.objects.select_for_update().get(
        credential_type=credential_type, year=year
    )
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    prefix = settings.CERTIFICATION_NUMBER_PREFIX
    return f"{prefix}-{credential_type.number_code}-{year}-{counter.last_value:06d}"


def credential_issue(
    *,
    credential_type: CredentialType,
    source_key: str,
    holder: User | None = None,
    organisation: Organisation | None = None,
    scope: str = "",
    standard_title: str = "",
    issued_on: dt.date | None = None,
    exam_score: Decimal | None = None,
    actor: User | None = None,
    reason: str = "",
) -> tuple[Credential, bool]:
    """Issue one credential for `source_key` (a pass, a promotion, a review); return
    (credential, created). Held by a person (`holder`) or by an organisation (`organisation`,
    with the `scope` and `standard_title` it was reviewed against), never both.

    Safe to call twice: the second call returns the first credential. Calls for one holder are
    serialised by locking the holder's (or organisation's) row; the unique source key is the
    backstop.
    """
    if (holder is None) == (organisation is None):
        raise CertificationError(_("A credential is held by a person or by an organisation."))
    existing = Credential.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    issued_on = issued_on or timezone.localdate()
    try:
        with transaction.atomic():
            if holder is not None:
                User.objects.select_for_update().filter(pk=holder.pk).first()
            else:
                assert organisation is not None
                Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
            existing = Credential.objects.filter(source_key=source_key).first()
            if existing is not None:
                return existing, False
            credential = Credential(
                credential_type=credential_type,
                holder=holder,
                organisation=organisation,
                scope=scope.strip() if organisation is not None else "",
                standard_title=standard_title.strip() if organisation is not None else "",
                number=credential_number_next(credential_type=credential_type,
                                              year=issued_on.year),
                source_key=source_key,
                issued_on=issued_on,
                expires_on=credential_expiry_for(credential_type=credential_type,
                                                 issued_on=issued_on),
                exam_score=exam_score,
                status_changed_at=timezone.now(),
            )
            credential.printed_name_zh, credential.printed_name_en = credential.holder_names()
            credential.save(force_insert=True)
            # Its place in the Open Badges status lists and its identity salt, once.
            credential_openbadge_prepare(credential=credential)
            if holder is not None and credential_type.role:
                user_role_grant(user=holder, role=credential_type.role, granted_by=actor,
                                reason=f"credential {credential.number}")
            audit_record(actor=actor, action="certification.credential.issued",
                         target=credential, reason=reason,
                         data={"source": source_key,
                               **({"holder": holder.pk} if holder is not None
                                  else {"organisation": credential.organisation_id})})
            email_holder(credential, "certification/email/credential_issued")
            credential_pdf_queue(credential.pk)
    except IntegrityError:
        # Another process issued for the same source between our check and insert.
        existing = Credential.objects.filter(source_key=source_key).first()
        if existing is None:
            raise
        return existing, False
    return credential, True


def credential_issue_for_pass(
    *,
    user_id: int,
    source_key: str,
    exam_score: Decimal | str | None,
    passed_at: dt.datetime | str | None,
) -> Credential:
    """Turn a pass into a coordinator credential (or renew the holder's current one).

    - A pass already accounted for (credential or renewal with this source key) changes nothing.
    - A holder with a coordinator credential that is not revoked is renewed by re-examination
      when the type allows it: the new expiry runs a full period from the pass (never shortening).
      Otherwise the pass is recorded against that credential without extending it.
    - Anyone else receives a new credential dated on the day of the pass.
    """
    score, passed_on = _pass_score_and_day(exam_score, passed_at)
    accounted = _credential_of_accounted_pass(source_key=source_key, score=score)
    if accounted is not None:
        return accounted
    holder = User.objects.get(pk=user_id)
    credential_type = credential_type_get(CredentialType.COORDINATOR)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=holder.pk).first()
        current = _coordinator_credential_locked(holder=holder, credential_type=credential_type)
        if current is None:
            credential, _created = credential_issue(
                holder=holder, credential_type=credential_type, source_key=source_key,
                issued_on=passed_on, exam_score=score,
            )
            return credential
        # Re-check under the lock: a concurrent delivery of this same pass may have just issued.
        if _pass_accounted(source_key):
            return current
        return _credential_renew_by_reexam(credential=current, credential_type=credential_type,
                                           source_key=source_key, passed_on=passed_on,
                                           score=score)


def _pass_score_and_day(exam_score: Decimal | str | None,
                        passed_at: dt.datetime | str | None) -> tuple[Decimal | None, dt.date]:
    """The score to two places and the local day of the pass (as a task sends them: strings)."""
    score = Decimal(str(exam_score)).quantize(TWO_PLACES) if exam_score is not None else None
    if isinstance(passed_at, str):
        passed_at = dt.datetime.fromisoformat(passed_at)
    passed_on = timezone.localdate(passed_at) if passed_at else timezone.localdate()
    return score, passed_on


def _credential_of_accounted_pass(*, source_key: str, score: Decimal | None) -> Credential | None:
    """The credential a pass already issued (reinstated if a regrade had withdrawn that pass)
    or renewed; None for a pass not seen yet."""
    existing = Credential.objects.filter(source_key=source_key).first()
    if existing is not None:
        return credential_pass_restored(credential=existing, score=score)
    renewal = CredentialRenewal.objects.filter(source_key=source_key).select_related(
        "credential").first()
    return renewal.credential if renewal is not None else None


def _pass_accounted(source_key: str) -> bool:
    return (Credential.objects.filter(source_key=source_key).exists()
            or CredentialRenewal.objects.filter(source_key=source_key).exists())


def _coordinator_credential_locked(*, holder: User,
                                   credential_type: CredentialType) -> Credential | None:
    """The holder's coordinator credential that is not revoked (the latest expiry), locked."""
    return (
        Credential.objects.select_for_update(of=("self",))
        .filter(holder=holder, credential_type=credential_type)
        .exclude(status=CredentialStatus.REVOKED)
        .order_by("-expires_on")
        .first()
    )


def _credential_renew_by_reexam(*, credential: Credential, credential_type: CredentialType,
                                source_key: str, passed_on: dt.date,
                                score: Decimal | None) -> Credential:
    """Record the pass as a re-examination renewal: a full period from the pass when the type
    renews by re-exam (never shortening), else the expiry stays; the higher score is kept."""
    previous = credential.expires_on
    new_expiry = previous
    if credential_type.renews_by_reexam:
        new_expiry = max(previous, credential_expiry_for(credential_type=credential_type,
                                                         issued_on=passed_on))
    CredentialRenewal.objects.create(
        credential=credential, method=RenewalMethod.REEXAM, source_key=source_key,
        previous_expires_on=previous, new_expires_on=new_expiry,
    )
    if score is not None and (credential.exam_score is None or score > credential.exam_score):
        credential.exam_score = score
    credential.expires_on = new_expiry
    credential.save(update_fields=["exam_score", "expires_on"])
    audit_record(actor=None, action="certification.credential.renewed", target=credential,
                 data={"method": "reexam", "source": source_key,
                       "from": previous.isoformat(), "to": new_expiry.isoformat()})
    if new_expiry != previous:
        credential_pdf_queue(credential.pk, force=True)
    return credential
