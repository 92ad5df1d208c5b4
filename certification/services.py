"""Every write of the certification app: issuing and numbering credentials, their PDFs, status
changes, renewal, reminders, reconciliation with exams, reviewer applications, ranking and
promotion, affiliations."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from accounts.services import user_role_grant, user_role_revoke
from core.models import AuditEntry
from core.services import audit_record, email_send_templated, task_queue, task_queue_on_commit
from exams.selectors import passed_attempts_since

from .models import (
    AffiliationKind,
    ApplicationStatus,
    ContinuingEducation,
    Credential,
    CredentialNumberCounter,
    CredentialRenewal,
    CredentialStatus,
    CredentialType,
    EducationStatus,
    OrganisationAffiliation,
    RankingWeights,
    RenewalMethod,
    ReviewerApplication,
    ReviewExperience,
    WorkPosition,
)
from .selectors import TWO_PLACES, credential_pdf_current

logger = logging.getLogger(__name__)


class CertificationError(ValidationError):
    """A rule of the certification scheme was not met (message is translatable)."""


# --------------------------------------------------------------------------- numbering & issue


CREDENTIAL_TYPE_DEFAULTS = {
    CredentialType.COORDINATOR: {"name": "注册协调员", "name_en": "Registered Coordinator",
                                 "number_code": "C", "role": "coordinator"},
    CredentialType.REVIEWER: {"name": "注册评审员", "name_en": "Registered Reviewer",
                              "number_code": "R", "role": "reviewer"},
}


def credential_type_get(slug: str) -> CredentialType:
    """The credential type (created with the defaults of migration 0002 if it is missing)."""
    credential_type, _created = CredentialType.objects.get_or_create(
        slug=slug, defaults=CREDENTIAL_TYPE_DEFAULTS[slug])
    return credential_type


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year + years, day=28)


def credential_expiry_for(*, credential_type: CredentialType, issued_on: dt.date) -> dt.date:
    """Valid for `validity_years` full years: issued 2026-11-24, 3 years -> expires 2029-11-23."""
    return _add_years(issued_on, credential_type.validity_years) - dt.timedelta(days=1)


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
    holder: User,
    credential_type: CredentialType,
    source_key: str,
    issued_on: dt.date | None = None,
    exam_score: Decimal | None = None,
    actor: User | None = None,
    reason: str = "",
) -> tuple[Credential, bool]:
    """Issue one credential for `source_key` (a pass, a promotion); return (credential, created).

    Safe to call twice: the second call returns the first credential. Calls for one holder are
    serialised by locking the holder's row; the unique source key is the backstop.
    """
    existing = Credential.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    issued_on = issued_on or timezone.localdate()
    try:
        with transaction.atomic():
            User.objects.select_for_update().filter(pk=holder.pk).first()
            existing = Credential.objects.filter(source_key=source_key).first()
            if existing is not None:
                return existing, False
            credential = Credential.objects.create(
                credential_type=credential_type,
                holder=holder,
                number=credential_number_next(credential_type=credential_type,
                                              year=issued_on.year),
                source_key=source_key,
                issued_on=issued_on,
                expires_on=credential_expiry_for(credential_type=credential_type,
                                                 issued_on=issued_on),
                exam_score=exam_score,
                status_changed_at=timezone.now(),
                printed_name_zh=holder.name_zh,
                printed_name_en=holder.name_en,
            )
            user_role_grant(user=holder, role=credential_type.role, granted_by=actor,
                            reason=f"credential {credential.number}")
            audit_record(actor=actor, action="certification.credential.issued",
                         target=credential, reason=reason,
                         data={"source": source_key, "holder": holder.pk})
            _email_holder(credential, "certification/email/credential_issued")
            _queue_pdf(credential.pk)
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
    score = Decimal(str(exam_score)).quantize(TWO_PLACES) if exam_score is not None else None
    if isinstance(passed_at, str):
        passed_at = dt.datetime.fromisoformat(passed_at)
    passed_on = timezone.localdate(passed_at) if passed_at else timezone.localdate()
    existing = Credential.objects.filter(source_key=source_key).first()
    if existing is not None:
        if _suspended_for_withdrawn_pass(existing):
            _credential_status_change(
                credential=existing, actor=None, action="reinstate", reason_public=False,
                reason=_("A further regrade made the exam result a pass again (%(score)s%%).")
                % {"score": score}, cause=PASS_WITHDRAWN)
        return existing
    renewal = CredentialRenewal.objects.filter(source_key=source_key).select_related(
        "credential").first()
    if renewal is not None:
        return renewal.credential

    holder = User.objects.get(pk=user_id)
    credential_type = credential_type_get(CredentialType.COORDINATOR)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=holder.pk).first()
        current = (
            Credential.objects.select_for_update(of=("self",))
            .filter(holder=holder, credential_type=credential_type)
            .exclude(status=CredentialStatus.REVOKED)
            .order_by("-expires_on")
            .first()
        )
        if current is None:
            credential, _created = credential_issue(
                holder=holder, credential_type=credential_type, source_key=source_key,
                issued_on=passed_on, exam_score=score,
            )
            return credential
        # Re-check under the lock: a concurrent delivery of this same pass may have just issued.
        if Credential.objects.filter(source_key=source_key).exists() or \
                CredentialRenewal.objects.filter(source_key=source_key).exists():
            return current
        previous = current.expires_on
        new_expiry = previous
        if credential_type.renews_by_reexam:
            new_expiry = max(previous, credential_expiry_for(credential_type=credential_type,
                                                             issued_on=passed_on))
        CredentialRenewal.objects.create(
            credential=current, method=RenewalMethod.REEXAM, source_key=source_key,
            previous_expires_on=previous, new_expires_on=new_expiry,
        )
        if score is not None and (current.exam_score is None or score > current.exam_score):
            current.exam_score = score
        current.expires_on = new_expiry
        current.save(update_fields=["exam_score", "expires_on"])
        audit_record(actor=None, action="certification.credential.renewed", target=current,
                     data={"method": "reexam", "source": source_key,
                           "from": previous.isoformat(), "to": new_expiry.isoformat()})
        if new_expiry != previous:
            _queue_pdf(current.pk, force=True)
        return current


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


def _queue_pdf(credential_id: int, *, force: bool = False) -> None:
    from .tasks import credential_pdf_generate_task

    task_queue_on_commit(credential_pdf_generate_task, credential_id=credential_id, force=force)


def _email_holder(credential: Credential, template_prefix: str, **extra: Any) -> None:
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


# --------------------------------------------------------------------------- PDF


def credential_pdf_render(credential: Credential) -> bytes:
    """The certificate as PDF bytes (A4 landscape, Noto CJK fonts, QR code to verification)."""
    from .pdf import certificate_pdf

    return certificate_pdf(credential)


def credential_pdf_generate(*, credential_id: int, force: bool = False) -> Credential:
    """Render and store the PDF unless the stored one is current (`credential_pdf_current`:
    the names printed and the expiry still hold); always when forced. Runs in a task, never in
    a request: rendering takes WeasyPrint a good part of a second. Safe to run twice."""
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update(of=("self",))
            .select_related("holder", "credential_type")
            .get(pk=credential_id)
        )
        if not force and credential_pdf_current(credential):
            return credential
        holder = credential.holder
        old_name = credential.pdf.name if credential.pdf else ""
        credential.printed_name_zh = holder.name_zh
        credential.printed_name_en = holder.name_en
        content = credential_pdf_render(credential)
        # One name per credential, replaced in place: a render whose worker was killed before
        # the commit left its file under this same name, so the rerun overwrites it instead
        # of adding a second file beside it (the download view names the file for people).
        storage = credential.pdf.storage
        name = credential_pdf_name(credential)
        if storage.exists(name):
            storage.delete(name)
        credential.pdf.name = storage.save(name, ContentFile(content))
        credential.pdf_generated_at = timezone.now()
        credential.save(update_fields=["pdf", "pdf_generated_at", "printed_name_zh",
                                       "printed_name_en"])
        if old_name and old_name != credential.pdf.name:
            # Files stored under the earlier random names.
            transaction.on_commit(lambda: storage.delete(old_name))
    return credential


def credential_pdf_name(credential: Credential) -> str:
    return f"certificates/{credential.issued_on:%Y}/{credential.number}.pdf"


def credential_pdf_request(*, credential_id: int) -> Credential | None:
    """The credential when its stored PDF is current; otherwise the render is queued and None
    returned (a worker stores it shortly). With Celery eager (`make run`, the tests) the task
    runs inside `delay`, so the PDF is ready at once."""
    from .tasks import credential_pdf_generate_task

    def read() -> Credential:
        return Credential.objects.select_related("holder", "credential_type").get(
            pk=credential_id)

    credential = read()
    if credential_pdf_current(credential):
        return credential
    # Queued straight away, not on commit: a request for a file writes nothing to wait for.
    task_queue(credential_pdf_generate_task, credential_id=credential_id)
    credential = read()
    return credential if credential_pdf_current(credential) else None


def credentials_regenerate_for_holder(*, user_id: int) -> int:
    """Queue new PDFs for a holder whose printed names changed; return how many."""
    user = User.objects.get(pk=user_id)
    stale = list(
        Credential.objects.filter(holder=user)
        .exclude(printed_name_zh=user.name_zh, printed_name_en=user.name_en)
        .values_list("pk", flat=True)
    )
    for pk in stale:
        _queue_pdf(pk)
    return len(stale)


# --------------------------------------------------------------------------- status


_STATUS_ACTIONS = {
    # action: (allowed from, to, audit verb, email template)
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
            "holder", "credential_type").get(pk=credential.pk)
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
        if new_status == CredentialStatus.REVOKED:
            still_holds = Credential.objects.filter(
                holder=credential.holder, credential_type=credential.credential_type,
            ).exclude(status=CredentialStatus.REVOKED).exists()
            if not still_holds:
                user_role_revoke(user=credential.holder, role=credential.credential_type.role,
                                 revoked_by=actor, reason=f"credential {credential.number} revoked")
        _email_holder(credential, "certification/email/status_changed",
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


def credential_registry_listing_set(*, credential: Credential, holder: User,
                                    listed: bool) -> Credential:
    if credential.holder_id != holder.pk:
        raise CertificationError(_("Only the holder can change the registry listing."))
    credential.registry_listed = listed
    credential.save(update_fields=["registry_listed"])
    return credential


# --------------------------------------------------------------------------- renewal


def credential_renewal_window_opens(credential: Credential) -> dt.date:
    return credential.expires_on - dt.timedelta(days=settings.CERTIFICATION_RENEWAL_WINDOW_DAYS)


def credential_education_hours(credential: Credential, *,
                               status: str = EducationStatus.APPROVED) -> Decimal:
    """Hours with `status` (approved: those that count) completed since the current period
    began (the last renewal, or the issue date)."""
    last = credential.renewals.order_by("-created_at").first()
    since = credential.issued_on if last is None else timezone.localdate(last.created_at)
    total = credential.education_records.filter(
        completed_on__gte=since, status=status).aggregate(total=Sum("hours"))["total"]
    return (total or Decimal("0")).quantize(Decimal("0.1"))


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
        _email_holder(record.credential, "certification/email/education_reviewed",
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
        credential.expires_on = _add_years(previous, ctype.validity_years)
        credential.save(update_fields=["expires_on"])
        CredentialRenewal.objects.create(credential=credential, method=RenewalMethod.CPD,
                                         previous_expires_on=previous,
                                         new_expires_on=credential.expires_on)
        audit_record(actor=actor, action="certification.credential.renewed", target=credential,
                     data={"method": "cpd", "hours": str(hours), "from": previous.isoformat(),
                           "to": credential.expires_on.isoformat()})
        _queue_pdf(credential.pk, force=True)
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
                "holder", "credential_type").get(pk=pk)
            days_left = (credential.expires_on - today).days
            field = "reminder_30_sent_for" if days_left <= 30 else "reminder_90_sent_for"
            if getattr(credential, field) == credential.expires_on:
                continue
            setattr(credential, field, credential.expires_on)
            if field == "reminder_30_sent_for":  # a late 30-day reminder covers the 90-day one
                credential.reminder_90_sent_for = credential.expires_on
            credential.save(update_fields=["reminder_30_sent_for", "reminder_90_sent_for"])
            _email_holder(credential, "certification/email/renewal_reminder",
                          days_left=days_left)
            sent += 1
    return sent


# --------------------------------------------------------------------------- reconciliation


def passes_accounted_keys() -> set[str]:
    keys = set(Credential.objects.filter(source_key__startswith="exams.attempt:").values_list(
        "source_key", flat=True))
    for key in CredentialRenewal.objects.filter(
            source_key__startswith="exams.attempt:").values_list("source_key", flat=True):
        if key:
            keys.add(key)
    return keys


def credentials_reconcile(*, since: dt.datetime, issue: bool = True) -> dict[str, list[str]]:
    """Find passes (from `exams.selectors.passed_attempts_since`) that have no credential or
    renewal; issue them (or only report when `issue` is False). Returns {"missing", "issued"}."""
    accounted = passes_accounted_keys()
    missing: list[str] = []
    issued: list[str] = []
    for attempt_id, user_id, score_percent, passed_at in passed_attempts_since(since):
        key = f"exams.attempt:{attempt_id}"
        if key in accounted:
            continue
        missing.append(key)
        if issue:
            credential = credential_issue_for_pass(user_id=user_id, source_key=key,
                                                   exam_score=score_percent, passed_at=passed_at)
            issued.append(credential.number)
    if missing:
        logger.warning("certification: %d pass(es) had no credential: %s", len(missing), missing)
    return {"missing": missing, "issued": issued}


# --------------------------------------------------------------------------- affiliations


def affiliation_record(*, organisation: Organisation, kind: str, other: Organisation,
                       actor: User | None, note: str = "") -> OrganisationAffiliation:
    if organisation.pk == other.pk:
        raise CertificationError(_("An organisation cannot be affiliated with itself."))
    if kind not in AffiliationKind.values:
        raise CertificationError(_("Unknown relation."))
    affiliation, created = OrganisationAffiliation.objects.get_or_create(
        organisation=organisation, kind=kind, other=other, defaults={"note": note})
    if created:
        audit_record(actor=actor, action="certification.affiliation.recorded",
                     target=affiliation, data={"kind": kind})
    return affiliation


# --------------------------------------------------------------------------- applications


def credential_valid_for(user: User, slug: str) -> Credential | None:
    today = timezone.localdate()
    return (
        Credential.objects.filter(holder=user, credential_type__slug=slug,
                                  status=CredentialStatus.ACTIVE, expires_on__gte=today)
        .order_by("-expires_on")
        .first()
    )


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
            _email_applicant(application, "certification/email/application_promoted")
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
        _email_applicant(application, "certification/email/application_declined")
    return application


def _email_applicant(application: ReviewerApplication, template_prefix: str) -> None:
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
