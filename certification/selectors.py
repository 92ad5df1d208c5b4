"""Reads for views, the API and later apps (reviewer draws)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User

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


def credential_pdf_current(credential: Credential) -> bool:
    """Whether the stored PDF shows what the credential says now: it exists, the printed names
    are the holder's, and no renewal has moved the expiry since it was rendered."""
    if not credential.pdf or credential.pdf_generated_at is None:
        return False
    holder = credential.holder
    if (credential.printed_name_zh, credential.printed_name_en) != (holder.name_zh,
                                                                    holder.name_en):
        return False
    return not credential.renewals.filter(
        created_at__gt=credential.pdf_generated_at,
    ).exclude(new_expires_on=F("previous_expires_on")).exists()


def credential_public_by_number(number: str) -> Credential | None:
    return (
        Credential.objects.select_related("credential_type", "holder", "holder__organisation")
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


def education_awaiting_review() -> QuerySet[ContinuingEducation]:
    return (
        ContinuingEducation.objects.filter(status=EducationStatus.PENDING)
        .select_related("credential__holder", "credential__credential_type")
        .order_by("created_at")
    )


def registry_search(
    *, query: str = "", type_slug: str = "", region: str = "", today: dt.date | None = None
) -> QuerySet[Credential]:
    """Active, unexpired credentials whose holders opted in to the public registry."""
    today = today or timezone.localdate()
    qs = Credential.objects.filter(
        registry_listed=True, status=CredentialStatus.ACTIVE, expires_on__gte=today
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
    qs = Credential.objects.select_related("credential_type", "holder", "holder__organisation")
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(holder__name_zh__icontains=query)
            | Q(holder__name_en__icontains=query)
            | Q(holder__email__icontains=query)
        )
    return qs.order_by("-issued_on", "-id")


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
