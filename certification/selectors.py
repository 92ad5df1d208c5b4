"""Reads for views, the API and later apps (reviewer draws)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from core.models import AuditEntry
from core.selectors import audit_action_label

from .contacts import organisation_contacts
from .models import (
    AffiliationKind,
    ApplicationStatus,
    ContinuingEducation,
    Credential,
    CredentialStatus,
    CredentialType,
    EducationStatus,
    OrganisationAffiliation,
    RankingWeights,
    ReviewerApplication,
    WorkPosition,
)
from .work_history import platform_reviews

TWO_PLACES = Decimal("0.01")


def credential_pdf_current(credential: Credential) -> bool:
    """Whether the stored PDF shows what the credential says now: it exists, the printed names
    are the holder's, and no renewal has moved the expiry since it was rendered."""
    if not credential.pdf or credential.pdf_generated_at is None:
        return False
    if (credential.printed_name_zh, credential.printed_name_en) != credential.holder_names():
        return False
    return not credential.renewals.filter(
        created_at__gt=credential.pdf_generated_at,
    ).exclude(new_expires_on=F("previous_expires_on")).exists()


def credential_public_by_number(number: str) -> Credential | None:
    return (
        Credential.objects.select_related("credential_type", "holder", "holder__organisation",
                                          "organisation")
        .filter(number=number.strip().upper())
        .first()
    )


def credential_public_by_link(number: str, token: str) -> Credential | None:
    credential = credential_public_by_number(number)
    if credential is None or not _constant_time_equal(credential.token, token):
        return None
    return credential


def _constant_time_equal(a: str, b: str) -> bool:
    from django.utils.crypto import constant_time_compare

    return constant_time_compare(a, b)


def credentials_of_holder(user: User) -> QuerySet[Credential]:
    return (
        Credential.objects.filter(holder=user)
        .select_related("credential_type")
        .prefetch_related("renewals", "education_records")
        .order_by("credential_type_id", "-issued_on")
    )


def credential_valid_for(user: User, slug: str) -> Credential | None:
    """The user's active, unexpired credential of type `slug` (the latest expiry), or None."""
    today = timezone.localdate()
    return (
        Credential.objects.filter(holder=user, credential_type__slug=slug,
                                  status=CredentialStatus.ACTIVE, expires_on__gte=today)
        .order_by("-expires_on")
        .first()
    )


def credential_education_hours(credential: Credential, *,
                               status: str = EducationStatus.APPROVED) -> Decimal:
    """Hours with `status` (approved: those that count) completed since the current period
    began (the last renewal, or the issue date)."""
    last = credential.renewals.order_by("-created_at").first()
    since = credential.issued_on if last is None else timezone.localdate(last.created_at)
    total = credential.education_records.filter(
        completed_on__gte=since, status=status).aggregate(total=Sum("hours"))["total"]
    return (total or Decimal("0")).quantize(Decimal("0.1"))


def credential_for_viewer(*, user: User, pk: int) -> Credential | None:
    """The credential if `user` holds it (or speaks for the organisation that holds it), or may
    see any (certification staff); None (a 404 for the page and the API alike) for anyone
    else."""
    credential = Credential.objects.select_related("credential_type", "organisation").filter(
        pk=pk).first()
    if credential is None:
        return None
    if credential.holder_id == user.pk or user.has_perm("certification.view_credential"):
        return credential
    if credential.organisation is not None and user.pk in {
            contact.pk for contact in organisation_contacts(credential.organisation)}:
        return credential
    return None


def education_evidence_for_viewer(*, user: User, pk: int) -> ContinuingEducation | None:
    """A record with evidence if `user` holds its credential or reviews hours; None otherwise."""
    record = (ContinuingEducation.objects.select_related("credential").exclude(evidence="")
              .filter(pk=pk).first())
    if record is None or (record.credential.holder_id != user.pk
                          and not user.has_perm("certification.review_education")):
        return None
    return record


def education_awaiting_review() -> QuerySet[ContinuingEducation]:
    return (
        ContinuingEducation.objects.filter(status=EducationStatus.PENDING)
        .select_related("credential__holder", "credential__credential_type")
        .order_by("created_at")
    )


def registry_search(
    *, query: str = "", type_slug: str = "", region: str = "", today: dt.date | None = None
) -> QuerySet[Credential]:
    """Active, unexpired credentials whose holders (people: certified centres have their own
    list in reviews) opted in to the public registry."""
    today = today or timezone.localdate()
    qs = Credential.objects.filter(
        registry_listed=True, status=CredentialStatus.ACTIVE, expires_on__gte=today,
        holder__isnull=False,
    ).select_related("credential_type", "holder", "holder__organisation")
    if type_slug:
        qs = qs.filter(credential_type__slug=type_slug)
    if region:
        qs = qs.filter(holder__organisation__region__icontains=region.strip())
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(number__iexact=query)
            | Q(holder__name_zh__icontains=query)
            | Q(holder__name_en__icontains=query)
            | Q(holder__organisation__name__icontains=query)
            | Q(holder__organisation__name_en__icontains=query)
        )
    return qs.order_by("credential_type_id", "number")


def credentials_for_staff(*, query: str = "") -> QuerySet[Credential]:
    qs = Credential.objects.select_related("credential_type", "holder", "holder__organisation",
                                           "organisation")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(holder__name_zh__icontains=query)
            | Q(holder__name_en__icontains=query)
            | Q(holder__email__icontains=query)
            | Q(organisation__name__icontains=query)
        )
    return qs.order_by("-issued_on", "-id")


def credential_for_staff(*, pk: int) -> Credential | None:
    """A credential with its type and holder (a person or an organisation), for the
    certification admins' page."""
    return Credential.objects.select_related(
        "credential_type", "holder", "organisation").filter(pk=pk).first()


def credential_types() -> QuerySet[CredentialType]:
    return CredentialType.objects.all()


def ranking_weights() -> RankingWeights:
    weights, _created = RankingWeights.objects.get_or_create(pk=1)
    return weights


def reviewer_applications_pending() -> QuerySet[ReviewerApplication]:
    return (
        ReviewerApplication.objects.filter(status=ApplicationStatus.PENDING)
        .select_related("applicant", "applicant__organisation", "coordinator_credential")
        .prefetch_related(
            Prefetch("positions", queryset=WorkPosition.objects.select_related("organisation")),
            "reviews",
        )
    )


def reviewer_applications_pending_among(
        *, application_ids: Sequence[int]) -> list[ReviewerApplication]:
    """The applications among `application_ids` still awaiting a decision, with their applicant:
    what declining them would decline."""
    return list(ReviewerApplication.objects.filter(
        pk__in=application_ids, status=ApplicationStatus.PENDING).select_related("applicant"))


REVIEWER_DECISIONS_LISTED = 20


def reviewer_applications_decided() -> list[ReviewerApplication]:
    """The latest decisions, newest first, with who applied, who decided and the credential."""
    return list(
        ReviewerApplication.objects.exclude(status=ApplicationStatus.PENDING)
        .select_related("applicant", "decided_by", "reviewer_credential")
        .order_by("-decided_at", "-pk")[:REVIEWER_DECISIONS_LISTED]
    )


@dataclass(frozen=True)
class RankedCandidate:
    rank: int
    application: ReviewerApplication
    exam_score: Decimal
    years: Decimal
    management_level: int
    review_count: int
    exam_points: Decimal
    years_points: Decimal
    management_points: Decimal
    review_points: Decimal
    total: Decimal


def _years_in_operations(positions: Iterable[WorkPosition], today: dt.date) -> Decimal:
    """Total years covered by the positions, overlapping periods counted once."""
    spans = sorted(
        (p.start_date, min(p.end_date or today, today)) for p in positions if p.start_date <= today
    )
    days = 0
    current_start: dt.date | None = None
    current_end: dt.date | None = None
    for start, end in spans:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                days += (current_end - current_start).days
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        days += (current_end - current_start).days
    return (Decimal(days) / Decimal("365.25")).quantize(TWO_PLACES)


def reviewer_candidates_ranked(
    *, today: dt.date, weights: RankingWeights | None = None,
) -> list[RankedCandidate]:
    """Rank reviewer candidates. THE ranking rule:

    Each component is scored 0-100:
      exam       = the exam score (%) on the coordinator credential;
      years      = years in contact-centre operations (overlaps counted once), capped at
                   `years_cap` years = 100;
      management = the highest management level held, agent 0 ... director or above 100
                   (0, 25, 50, 75, 100);
      reviews    = reviews/audits taken part in (those in the work history, plus the reviews
                   completed on the platform, `certification.work_history`), capped at
                   `reviews_cap` = 100.
    total = (Σ weight × component) ÷ Σ weights, to 2 decimal places (0 if all weights are 0).
    Ties: higher total, then higher exam score, then more years, then the earlier application,
    then the lower application id. Ranks are 1, 2, 3 ... with no shared places.

    The pending applications are ranked as of `today` (years in operations run up to it): the
    caller says which day, so the ranking is the same whenever it is computed for that day.
    """
    weights = weights or ranking_weights()
    max_level = Decimal(4)
    weight_sum = (weights.exam_weight + weights.years_weight + weights.management_weight
                  + weights.review_weight)
    scored = []
    applications = list(reviewer_applications_pending())
    on_platform = platform_reviews(a.applicant_id for a in applications)
    for application in applications:
        positions = list(application.positions.all())
        review_count = len(application.reviews.all()) + on_platform.get(application.applicant_id,
                                                                        0)
        exam = application.coordinator_credential.exam_score or Decimal("0")
        years = _years_in_operations(positions, today)
        level = max((p.management_level for p in positions), default=0)
        exam_points = Decimal(exam).quantize(TWO_PLACES)
        years_points = (min(years, Decimal(weights.years_cap)) / weights.years_cap
                        * 100).quantize(TWO_PLACES)
        management_points = (Decimal(level) / max_level * 100).quantize(TWO_PLACES)
        review_points = (Decimal(min(review_count, weights.reviews_cap)) / weights.reviews_cap
                         * 100).quantize(TWO_PLACES)
        if weight_sum:
            total = ((weights.exam_weight * exam_points + weights.years_weight * years_points
                      + weights.management_weight * management_points
                      + weights.review_weight * review_points) / weight_sum).quantize(TWO_PLACES)
        else:
            total = Decimal("0.00")
        scored.append((application, exam_points, years, level, review_count, years_points,
                       management_points, review_points, total))
    scored.sort(key=lambda row: (-row[8], -row[1], -row[2], row[0].submitted_at, row[0].pk))
    return [
        RankedCandidate(rank=index, application=row[0], exam_score=row[1], years=row[2],
                        management_level=row[3], review_count=row[4], exam_points=row[1],
                        years_points=row[5], management_points=row[6], review_points=row[7],
                        total=row[8])
        for index, row in enumerate(scored, start=1)
    ]


def reviewer_applications_of(user: User) -> QuerySet[ReviewerApplication]:
    return ReviewerApplication.objects.filter(applicant=user).select_related(
        "reviewer_credential").order_by("-submitted_at")


# --------------------------------------------------------------------------- conflicts


def organisations_conflicting_with(organisation_id: int) -> set[int]:
    """The organisations a reviewer must not be connected to when reviewing `organisation_id`.

    Rule:
    1. Affiliations are read in both directions (A parent of B == B subsidiary of A; partners are
       partners of each other).
    2. Parent/subsidiary links chain: X's corporate group is every organisation reachable from X
       through any number of parent/subsidiary links (siblings, grandparents, ...).
    3. A partner of any member of X's group conflicts, and so does that partner's whole corporate
       group. Partnerships do not chain further (a partner's partner is not a conflict).
    The result always contains X itself.
    """
    corporate: dict[int, set[int]] = defaultdict(set)
    partners: dict[int, set[int]] = defaultdict(set)
    for a, kind, b in OrganisationAffiliation.objects.values_list(
        "organisation_id", "kind", "other_id"
    ):
        graph = partners if kind == AffiliationKind.PARTNER else corporate
        graph[a].add(b)
        graph[b].add(a)

    def group_of(start: int) -> set[int]:
        seen = {start}
        queue = deque([start])
        while queue:
            for neighbour in corporate[queue.popleft()]:
                if neighbour not in seen:
                    seen.add(neighbour)
                    queue.append(neighbour)
        return seen

    conflict = group_of(organisation_id)
    for member in list(conflict):
        for partner in partners[member]:
            conflict |= group_of(partner)
    return conflict


def reviewers_without_conflict(
    *, organisation_id: int, today: dt.date | None = None
) -> QuerySet[User]:
    """Users holding an active, unexpired reviewer credential with no conflict of interest with
    the organisation: neither their employer (User.organisation) nor any current position in
    their work history is in `organisations_conflicting_with(organisation_id)`."""
    today = today or timezone.localdate()
    conflict = organisations_conflicting_with(organisation_id)
    reviewers = User.objects.filter(
        credentials__credential_type__slug=CredentialType.REVIEWER,
        credentials__status=CredentialStatus.ACTIVE,
        credentials__expires_on__gte=today,
        is_active=True,
    )
    current_conflicting_positions = WorkPosition.objects.filter(
        organisation_id__in=conflict, start_date__lte=today
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    conflicted_by_history = current_conflicting_positions.values("application__applicant_id")
    return (
        reviewers.exclude(organisation_id__in=conflict)
        .exclude(pk__in=conflicted_by_history)
        .distinct()
        .order_by("pk")
    )


def credential_history(credential: Credential) -> list[AuditEntry]:
    """The credential's audit entries, newest first, each with `label`: what happened, in the
    person's language rather than the audit code."""
    entries = list(AuditEntry.objects.for_object(credential).select_related("actor"))
    for entry in entries:
        entry.label = audit_action_label(entry.action)  # type: ignore[attr-defined]
    return entries


# --- Open Badges 3.0 (certification/openbadges/)

def status_list_indexes_set(purpose: str) -> list[int]:
    """The bits set in the `purpose` list ("revocation" or "suspension"), read from the
    credentials' status at the moment of asking: the list has no store of its own to drift."""
    status = {"revocation": CredentialStatus.REVOKED,
              "suspension": CredentialStatus.SUSPENDED}[purpose]
    indexes = (Credential.objects.filter(status=status, status_list_index__isnull=False)
               .order_by("status_list_index").values_list("status_list_index", flat=True))
    return [index for index in indexes if index is not None]


def credential_by_status_index(index: int) -> Credential | None:
    return (Credential.objects.select_related("credential_type", "holder", "organisation")
            .filter(status_list_index=index).first())


def credential_for_openbadge(pk: int) -> Credential:
    return Credential.objects.select_related("credential_type", "holder", "organisation").get(
        pk=pk)
