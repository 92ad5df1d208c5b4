"""Reads of the review: the eligible pool of a project, with the reason each reviewer left out
is not in it, and who is qualified to lead (set-based: a fixed number of queries whatever the
number of reviewers or organisations); the applicant's organisations and applications; a
member's place and agreement; the checklist of a project with its judgements and the modules'
rates; who may act for the applicant and who may view its evidence, and the evidence per item;
the certified centres; the team's on-site records and an item's whole evidence panel."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from certification.models import (
    ApplicationStatus,
    Credential,
    CredentialStatus,
    CredentialType,
    ReviewExperience,
    WorkPosition,
)
from certification.selectors import (
    credential_public_by_link,
    credential_public_by_number,
    organisations_conflicting_with,
)
from cms.models import StandardItem, StandardModulePage, StandardVersionPage, localized
from cms.selectors import version_full, version_items

from .benchmark import Quartiles, against_median, band, band_labels, quartiles, value_round
from .conf import setting
from .kpis import KPI_DEFINITIONS, KpiDefinition
from .models import (
    APPLICANT_EVIDENCE_KINDS,
    DECIDED_STATES,
    EVIDENCE_OPEN_STATES,
    EVIDENCE_REQUEST_STATES,
    AgreementVersion,
    Draw,
    DrawKind,
    EvidenceFile,
    EvidencePageView,
    EvidenceRequest,
    EvidenceVersion,
    FinalJudgement,
    Finding,
    Industry,
    Judgement,
    KpiCheck,
    KpiDataSet,
    KpiMonth,
    KpiSource,
    MemberRole,
    MemberState,
    OnsiteKind,
    OnsiteRecord,
    OrganisationMember,
    OrganisationProfile,
    OrganisationSite,
    ProjectState,
    ReviewerDeclaredConflict,
    ReviewerFee,
    ReviewProject,
    Sanction,
    SanctionAppeal,
    SanctionState,
    SpotCheck,
    SpotCheckJudgement,
    SpotCheckReview,
    TeamMember,
    TeamRole,
    Verdict,
)
from .rates import ModuleRate, module_rate, review_passes
from .spotcheck import Agreement

# Why a reviewer is not in the pool: the code stored with a draw, and what the admin reads.
EXCLUSION_REASONS = {
    "not_active": _("No active registered-reviewer credential (expired, suspended or revoked), "
                    "or the account is disabled"),
    "employed": _("Employed now or within the employment window by an organisation of the "
                  "applicant's conflict set"),
    "preparer": _("Prepared the application (a named coordinator, or works for the named "
                  "consulting firm)"),
    "rotation": _("On the team of the organisation's previous review cycle"),
    "declared": _("Declared a conflict with the applicant or an organisation of its conflict "
                  "set"),
}


@dataclass
class Pool:
    eligible: list[int]  # reviewer ids, ascending: the pool frozen with a draw
    excluded: dict[int, list[str]] = field(default_factory=dict)  # id → reason codes
    conflict_set: set[int] = field(default_factory=set)

    def reasons_for(self, reviewer_id: int) -> list[str]:
        """Why `reviewer_id` is not in the pool, as the admin reads it (empty when they are)."""
        return [str(EXCLUSION_REASONS[code]) for code in self.excluded.get(reviewer_id, [])]


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --------------------------------------------------------------------------- the named steps


def _reviewer_holders() -> set[int]:
    """Everyone who holds or held a registered-reviewer credential: the people a draw is
    about."""
    return set(Credential.objects.filter(credential_type__slug=CredentialType.REVIEWER)
               .values_list("holder_id", flat=True))


def _active_reviewers(today: dt.date) -> set[int]:
    """Holders of an active, unexpired reviewer credential, with an enabled account and no
    suspended reviewer credential."""
    reviewer_credentials = Credential.objects.filter(credential_type__slug=CredentialType.REVIEWER)
    suspended = reviewer_credentials.filter(status=CredentialStatus.SUSPENDED).values("holder_id")
    return set(
        reviewer_credentials.filter(status=CredentialStatus.ACTIVE, expires_on__gte=today,
                                    holder__is_active=True)
        .exclude(holder_id__in=suspended).values_list("holder_id", flat=True)
    )


def _employed_by(organisation_ids: Iterable[int], *, today: dt.date) -> set[int]:
    """Users employed by one of `organisation_ids` now (their employer, or a current position)
    or within the employment window (a position that ended since then)."""
    organisation_ids = list(organisation_ids)
    if not organisation_ids:
        return set()
    since = years_before(today, setting("REVIEWS_EMPLOYMENT_WINDOW_YEARS"))
    by_employer = User.objects.filter(organisation_id__in=organisation_ids).values_list(
        "pk", flat=True)
    by_history = WorkPosition.objects.filter(
        organisation_id__in=organisation_ids, start_date__lte=today,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=since)).values_list(
        "application__applicant_id", flat=True)
    return set(by_employer) | set(by_history)


def _preparers(project: ReviewProject, *, today: dt.date) -> set[int]:
    coordinators = set(project.coordinators.values_list("pk", flat=True))
    if project.consulting_firm_id is None:
        return coordinators
    return coordinators | _employed_by([project.consulting_firm_id], today=today)


def _previous_teams(project: ReviewProject) -> set[int]:
    """The teams (those who served, not those who declined) of the organisation's previous
    `REVIEWS_ROTATION_CYCLES` projects that had a team."""
    cycles = setting("REVIEWS_ROTATION_CYCLES")
    if cycles <= 0:
        return set()
    previous = (ReviewProject.objects.filter(organisation_id=project.organisation_id,
                                             created_at__lte=project.created_at)
                .filter(Exists(TeamMember.objects.filter(project_id=OuterRef("pk"))))
                .exclude(pk=project.pk).order_by("-created_at", "-pk").values("pk")[:cycles])
    return set(TeamMember.objects.filter(project_id__in=previous)
               .exclude(state=MemberState.DECLINED).values_list("reviewer_id", flat=True))


def _declared_conflicts(conflict_set: set[int]) -> set[int]:
    return set(ReviewerDeclaredConflict.objects.filter(organisation_id__in=conflict_set)
               .values_list("reviewer_id", flat=True))


def eligible_pool(project: ReviewProject, *, today: dt.date) -> Pool:
    """The reviewers who may be drawn for `project` on `today`: the active reviewers, minus
    anyone employed now or within the window by an organisation of the applicant's conflict set
    (`certification.selectors.organisations_conflicting_with`), minus those who prepared the
    application, minus the previous cycle's team, minus declared conflicts. Every holder of a
    reviewer credential left out is in `excluded` with each reason that applies."""
    conflict_set = organisations_conflicting_with(project.organisation_id)
    people = _reviewer_holders()
    steps: list[tuple[str, set[int]]] = [
        ("not_active", people - _active_reviewers(today)),
        ("employed", _employed_by(conflict_set, today=today)),
        ("preparer", _preparers(project, today=today)),
        ("rotation", _previous_teams(project)),
        ("declared", _declared_conflicts(conflict_set)),
    ]
    excluded: dict[int, list[str]] = defaultdict(list)
    for code, ids in steps:
        for reviewer_id in ids & people:
            excluded[reviewer_id].append(code)
    eligible = sorted(people - excluded.keys())
    return Pool(eligible=eligible, excluded=dict(excluded), conflict_set=conflict_set)


def completed_reviews(reviewer_ids: Iterable[int]) -> dict[int, int]:
    """Completed reviews per reviewer: those recorded in their promoted reviewer application's
    work history, plus the platform's projects the committee has decided on which they served
    (`platform_completed_reviews`: a review a sanction in force found them wrong on does not
    count). Three queries."""
    reviewer_ids = list(reviewer_ids)
    counts: dict[int, int] = defaultdict(int)
    for applicant_id, number in (
        ReviewExperience.objects.filter(application__applicant_id__in=reviewer_ids,
                                        application__status=ApplicationStatus.PROMOTED)
        .values_list("application__applicant_id").annotate(n=Count("pk"))
    ):
        counts[applicant_id] += number
    for reviewer_id, number in platform_completed_reviews(reviewer_ids).items():
        counts[reviewer_id] += number
    return dict(counts)


def qualified_to_lead(reviewer_ids: Iterable[int]) -> list[int]:
    """Those of `reviewer_ids` with at least `REVIEWS_LEAD_MIN_REVIEWS` completed reviews."""
    minimum = setting("REVIEWS_LEAD_MIN_REVIEWS")
    reviewer_ids = list(reviewer_ids)
    if minimum <= 0:
        return sorted(reviewer_ids)
    counts = completed_reviews(reviewer_ids)
    return sorted(r for r in reviewer_ids if counts.get(r, 0) >= minimum)


def lead_rule_text() -> str:
    return f"completed_reviews>={setting('REVIEWS_LEAD_MIN_REVIEWS')}"


def project_first_draw(project: ReviewProject) -> Draw | None:
    return project.draws.filter(kind=DrawKind.DRAW).order_by("created_at", "pk").first()


@dataclass(frozen=True)
class Exclusion:
    reviewer: User
    reasons: list[str]


@dataclass(frozen=True)
class DrawOverview:
    """What the draw page and its API show: the first draw (None before it is run), the pool
    as it stands (before) or as it was frozen (after), and who is excluded and why."""

    draw: Draw | None
    pool_size: int
    exclusions: list[Exclusion]


def project_draw_overview(project: ReviewProject, *, today: dt.date) -> DrawOverview:
    first = project_first_draw(project)
    if first is None:
        pool = eligible_pool(project, today=today)
        eligible, excluded = pool.eligible, pool.excluded
    else:
        eligible = first.pool
        excluded = {int(k): v for k, v in first.exclusions.items()}
    people = users_by_id(excluded)
    exclusions = [
        Exclusion(reviewer=people[reviewer_id],
                  reasons=[str(EXCLUSION_REASONS[code]) for code in codes])
        for reviewer_id, codes in sorted(excluded.items()) if reviewer_id in people
    ]
    return DrawOverview(draw=first, pool_size=len(eligible), exclusions=exclusions)


def project_draws(project: ReviewProject) -> QuerySet[Draw]:
    return project.draws.order_by("created_at", "pk")


def project_vacancies(project: ReviewProject) -> QuerySet[TeamMember]:
    """Declined places no redraw replaced (the frozen pool had no one left): a certification
    admin fills them from the pool as it stands (`services.vacancy_fill`)."""
    return (project.members.filter(state=MemberState.DECLINED)
            .exclude(pk__in=project.draws.filter(replaces__isnull=False).values("replaces"))
            .select_related("reviewer"))


def project_team(project: ReviewProject) -> QuerySet[TeamMember]:
    return project.members.select_related("reviewer", "draw").order_by("role", "id")


def memberships_of(user: User) -> QuerySet[TeamMember]:
    return (TeamMember.objects.filter(reviewer=user)
            .select_related("project__organisation", "project__standard_version")
            .order_by("-project__created_at", "-id"))


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    return {user.pk: user for user in User.objects.filter(pk__in=list(ids))
            .select_related("organisation")}


# --- The applicant's side: organisations, members, applications.
def memberships_in_organisations(user: User) -> QuerySet[OrganisationMember]:
    """The organisations `user` works on applications for."""
    return (OrganisationMember.objects.filter(user=user)
            .select_related("organisation__review_profile").order_by("organisation__name"))


def organisation_membership(user: User, organisation_id: int) -> OrganisationMember | None:
    return (OrganisationMember.objects.filter(user=user, organisation_id=organisation_id)
            .select_related("organisation").first())


def organisation_admins(organisation_id: int) -> list[User]:
    return list(User.objects.filter(
        organisation_memberships__organisation_id=organisation_id,
        organisation_memberships__role=MemberRole.ADMIN, is_active=True).order_by("pk"))


def organisation_members(organisation_id: int) -> QuerySet[OrganisationMember]:
    return (OrganisationMember.objects.filter(organisation_id=organisation_id)
            .select_related("user").order_by("role", "pk"))


def organisation_sites(organisation_id: int) -> QuerySet[OrganisationSite]:
    return OrganisationSite.objects.filter(organisation_id=organisation_id).order_by("name", "pk")


def organisation_projects(organisation_id: int) -> QuerySet[ReviewProject]:
    return (ReviewProject.objects.filter(organisation_id=organisation_id)
            .select_related("standard_version", "certificate"))


def project_for_member(user: User, pk: int) -> ReviewProject | None:
    """The project `pk` if `user` is a member of its organisation, else None."""
    return (_projects_with_details()
            .filter(pk=pk, organisation__review_members__user=user).first())


def project_with_details(pk: int) -> ReviewProject | None:
    return _projects_with_details().filter(pk=pk).first()


def _projects_with_details() -> QuerySet[ReviewProject]:
    return (ReviewProject.objects.select_related("organisation", "standard_version",
                                                 "consulting_firm")
            .prefetch_related("sites", "coordinators"))


def projects_awaiting_acceptance() -> QuerySet[ReviewProject]:
    """Submitted applications, oldest first, for the certification admins."""
    return (ReviewProject.objects.filter(state=ProjectState.SUBMITTED)
            .select_related("organisation", "standard_version", "consulting_firm")
            .prefetch_related("sites", "coordinators").order_by("submitted_at", "pk"))


def published_standard_versions() -> QuerySet[StandardVersionPage]:
    """The versions an application may be for: published ones only."""
    return StandardVersionPage.objects.live().order_by("-issued_on", "pk")


def coordinators_resolve(identifiers: Iterable[str], *,
                         today: dt.date) -> tuple[list[User], list[str]]:
    """The holders of an active, unexpired registered-coordinator credential named by email or
    credential number, and the identifiers that name no such holder (one query)."""
    wanted = [i.strip() for i in identifiers if i.strip()]
    credentials = list(
        Credential.objects.filter(credential_type__slug=CredentialType.COORDINATOR,
                                  status=CredentialStatus.ACTIVE, expires_on__gte=today,
                                  holder__is_active=True)
        .filter(Q(holder__email__in=[i.lower() for i in wanted]) | Q(number__in=wanted))
        .select_related("holder"))
    found: dict[str, User] = {}
    for credential in credentials:
        holder = credential.holder
        if holder is None:  # never for a coordinator credential: only organisations hold none
            continue
        found[holder.email.lower()] = holder
        found[credential.number] = holder
    users: dict[int, User] = {}
    unresolved = []
    for identifier in wanted:
        user = found.get(identifier) or found.get(identifier.lower())
        if user is None:
            unresolved.append(identifier)
        else:
            users[user.pk] = user
    return list(users.values()), unresolved


def organisation_by_name_or_code(text: str) -> Organisation | None:
    text = text.strip()
    if not text:
        return None
    return Organisation.objects.filter(Q(name=text) | Q(credit_code=text.upper())).first()


def projects_of_member(user: User) -> QuerySet[ReviewProject]:
    """The applications of every organisation `user` is a member of."""
    return _projects_with_details().filter(organisation__review_members__user=user)
# --------------------------------------------------------------------------- certificates

# What the public list of certified centres shows: a withdrawn or expired certificate leaves it
# (as the registry drops them; verification still shows either); a suspended one stays, marked
# suspended, so that no one reads its absence as "never certified".
LISTED_CERTIFICATE_STATUSES = (CredentialStatus.ACTIVE, CredentialStatus.SUSPENDED)


def organisation_contacts(organisation: Organisation) -> list[User]:
    """Who speaks for `organisation` about its certificate (emails, the PDF): its active
    members (admins and colleagues). Registered with certification (`certification.contacts`) in
    ReviewsConfig.ready."""
    return list(
        User.objects.filter(is_active=True,
                            organisation_memberships__organisation=organisation)
        .order_by("pk")
    )


def certified_centres(*, query: str = "", today: dt.date) -> QuerySet[ReviewProject]:
    """The projects whose certificate is on the public list (active or suspended, not
    expired), by organisation name; `query` matches the Chinese or English name."""
    qs = ReviewProject.objects.filter(
        certificate__isnull=False, certificate__status__in=LISTED_CERTIFICATE_STATUSES,
        certificate__expires_on__gte=today,
    ).select_related("organisation", "certificate", "certificate__organisation",
                     "certificate__credential_type")
    query = query.strip()
    if query:
        qs = qs.filter(Q(organisation__name__icontains=query)
                       | Q(organisation__name_en__icontains=query))
    return qs.order_by("organisation__name", "certificate__number")


def certificate_projects_for_staff() -> QuerySet[ReviewProject]:
    """The projects a certification admin issues or manages a certificate for: decided
    certified (awaiting it) first, then those with one, newest first."""
    return (
        ReviewProject.objects.filter(Q(state=ProjectState.CERTIFIED)
                                     | Q(certificate__isnull=False))
        .select_related("organisation", "standard_version", "certificate",
                        "certificate__organisation")
        .order_by(F("certificate_id").asc(nulls_first=True), "-updated_at", "-pk")
    )


def centre_certificate_public(number: str, token: str | None = None) -> Credential | None:
    """A certified centre's certificate by number (and the QR link's token when given), as
    certification's verification finds it; None for a person's credential or no match."""
    credential = (credential_public_by_number(number) if token is None
                  else credential_public_by_link(number, token))
    if credential is None or not credential.held_by_organisation:
        return None
    return credential
# --------------------------------------------------------------------------- evidence


def can_act_for_applicant(user: User, project: ReviewProject) -> bool:
    """Whether `user` may act for the applicant organisation of `project` (upload its evidence,
    download its originals): an active member of the organisation (admin or colleague)."""
    return bool(user.is_authenticated and user.is_active
                and OrganisationMember.objects.filter(
                    user=user, organisation_id=project.organisation_id).exists())


def evidence_open_to(user: User, project: ReviewProject) -> bool:
    """Whether `user` may view the evidence of `project` page by page: a drawn member of its
    team who has signed the integrity agreement for it, or the expert committee
    (`reviews.view_evidence`). The one gate for viewing."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.has_perm("reviews.view_evidence"):
        return True
    return project.members.filter(reviewer=user, state=MemberState.DRAWN,
                                  agreement__isnull=False).exists()


def evidence_reopened_items(project: ReviewProject, *, today: dt.date) -> set[int]:
    """The items reopened by a request for more evidence whose due date has not passed."""
    return set(EvidenceRequest.items.through.objects.filter(
        evidencerequest__project=project, evidencerequest__due_on__gte=today,
    ).values_list("standarditem_id", flat=True))


def evidence_is_frozen(project: ReviewProject) -> bool:
    """Evidence is frozen once document review starts."""
    return project.state not in EVIDENCE_OPEN_STATES


def _open_items(project: ReviewProject, *, today: dt.date) -> set[int] | None:
    """The items the applicant may add evidence to now: None for all (before the freeze)."""
    if not evidence_is_frozen(project):
        return None
    if project.state not in EVIDENCE_REQUEST_STATES:
        return set()
    return evidence_reopened_items(project, today=today)


def evidence_item_is_open(project: ReviewProject, item_id: int, *, today: dt.date) -> bool:
    open_items = _open_items(project, today=today)
    return open_items is None or item_id in open_items


@dataclass
class SuppliedFile:
    evidence: EvidenceFile
    versions: list[EvidenceVersion]  # oldest first; never empty

    @property
    def current(self) -> EvidenceVersion:
        return self.versions[-1]


@dataclass
class ItemEvidence:
    item: StandardItem
    expected: list[tuple[str, str]]  # (kind, label) the item expects from the applicant
    on_site: list[tuple[str, str]]  # kinds the team captures on site
    files: list[SuppliedFile]
    missing: list[tuple[str, str]]
    is_open: bool


def project_evidence(project: ReviewProject, *, today: dt.date,
                     with_onsite: bool = True) -> list[ItemEvidence]:
    """Every item of the project's standard version, in the standard's order, with the kinds of
    evidence it expects, the files supplied (all their versions, the last current; the team's
    on-site photos too unless `with_onsite` is false, as for the applicant), the expected kinds
    still missing, and whether the applicant may add to it now. At most four queries."""
    files: dict[int, list[SuppliedFile]] = defaultdict(list)
    evidence_files = project.evidence.all()
    if not with_onsite:
        evidence_files = evidence_files.filter(kind__in=APPLICANT_EVIDENCE_KINDS)
    for evidence in (evidence_files.order_by("kind", "pk")
                     .prefetch_related(Prefetch("versions",
                                                queryset=EvidenceVersion.objects.order_by(
                                                    "number")))):
        files[evidence.item_id].append(SuppliedFile(evidence=evidence,
                                                    versions=list(evidence.versions.all())))
    open_items = _open_items(project, today=today)
    rows = []
    for item in version_items(version=project.standard_version):
        expected = [(kind, str(label)) for kind, label in item.evidence
                    if kind in APPLICANT_EVIDENCE_KINDS]
        supplied = {file.evidence.kind for file in files[item.pk]}
        rows.append(ItemEvidence(
            item=item, expected=expected, files=files[item.pk],
            on_site=[(kind, str(label)) for kind, label in item.evidence
                     if kind not in APPLICANT_EVIDENCE_KINDS],
            missing=[(kind, label) for kind, label in expected if kind not in supplied],
            is_open=bool(expected) and (open_items is None or item.pk in open_items),
        ))
    return rows


def evidence_version_get(pk: int) -> EvidenceVersion | None:
    return (EvidenceVersion.objects.select_related("evidence__project__organisation",
                                                   "evidence__item")
            .filter(pk=pk).first())


def evidence_version_for_viewer(user: User, pk: int) -> EvidenceVersion | None:
    """The version `pk` if `user` may view its pages, else None (the caller answers 404)."""
    version = evidence_version_get(pk)
    if version is None or not evidence_open_to(user, version.evidence.project):
        return None
    return version


def evidence_version_for_applicant(user: User, pk: int) -> EvidenceVersion | None:
    """The version `pk` if `user` acts for the organisation that supplied it, else None."""
    version = evidence_version_get(pk)
    if (version is None or version.evidence.kind not in APPLICANT_EVIDENCE_KINDS
            or not can_act_for_applicant(user, version.evidence.project)):
        return None  # the team's on-site photos are not the applicant's to download
    return version


def evidence_page_views(project: ReviewProject) -> QuerySet[EvidencePageView]:
    """Every page of the project's evidence served to a viewer, newest first."""
    return (EvidencePageView.objects.filter(version__evidence__project=project)
            .select_related("viewer", "version__evidence__item")
            .order_by("-viewed_at", "-pk"))
# --------------------------------------------------------------------------- the agreement


def agreement_current(*, now: dt.datetime) -> AgreementVersion | None:
    """The version reviewers sign: the latest published by `now`."""
    return (AgreementVersion.objects.filter(published_at__isnull=False, published_at__lte=now)
            .order_by("-published_at", "-number").first())


def membership_for(*, user: User, project_id: int) -> TeamMember | None:
    """`user`'s place on the project's team (drawn, not declined), with the project and their
    acceptance of the agreement; None for anyone else (their pages answer 404)."""
    return (TeamMember.objects.filter(reviewer=user, project_id=project_id,
                                      state=MemberState.DRAWN)
            .select_related("project__organisation", "project__standard_version", "reviewer",
                            "agreement__version")
            .first())


def member_has_accepted(member: TeamMember) -> bool:
    return hasattr(member, "agreement")


def team_drawn_members(project: ReviewProject) -> list[TeamMember]:
    """The team as it stands (declined places left out), lead first, with their acceptances."""
    return list(project.members.filter(state=MemberState.DRAWN)
                .select_related("reviewer", "agreement__version").order_by("role", "id"))


def project_item(project: ReviewProject, item_id: int) -> StandardItem | None:
    """An item of the project's standard version (a published module), or None."""
    version = project.standard_version
    return (StandardItem.objects.filter(pk=item_id, module__live=True,
                                        module__path__startswith=version.path,
                                        module__depth=version.depth + 1)
            .select_related("module").first())


# --------------------------------------------------------------------------- the checklist


@dataclass
class ChecklistItem:
    item: StandardItem
    permalink: str
    own: Judgement | None = None
    final: FinalJudgement | None = None
    team: list[Judgement] = field(default_factory=list)

    @property
    def disagreement(self) -> bool:
        """The team's members do not all say the same."""
        return len({judgement.verdict for judgement in self.team}) > 1

    @property
    def title(self) -> str:
        return str(localized(self.item, "title"))

    @property
    def requirement(self) -> str:
        return str(localized(self.item, "requirement"))


@dataclass
class ChecklistModule:
    page: StandardModulePage
    items: list[ChecklistItem]
    own: ModuleRate  # the member's own judgements
    final: ModuleRate  # the team's final judgements

    @property
    def number(self) -> int:
        return self.page.number

    @property
    def title(self) -> str:
        return str(localized(self.page, "title"))

    @property
    def disagreements(self) -> int:
        return sum(1 for item in self.items if item.disagreement)


@dataclass
class Checklist:
    modules: list[ChecklistModule]

    @property
    def items(self) -> list[ChecklistItem]:
        return [item for module in self.modules for item in module.items]

    def module(self, number: int) -> ChecklistModule | None:
        return next((m for m in self.modules if m.number == number), None)

    @property
    def final_complete(self) -> bool:
        return all(module.final.complete for module in self.modules)

    @property
    def passes(self) -> bool:
        """The team's final judgements pass every module."""
        return review_passes(module.final for module in self.modules)


def _rate(page: StandardModulePage, items: list[ChecklistItem],
          verdicts: list[str]) -> ModuleRate:
    return module_rate(number=page.number, total=len(items),
                       verdicts=[v == Verdict.CONFORMS for v in verdicts],
                       pass_rate=page.pass_rate)


def project_checklist(project: ReviewProject, *, member: TeamMember | None = None,
                      with_team: bool = False) -> Checklist:
    """Every item of the project's standard version, grouped by module in the standard's
    order, with `member`'s own judgements, the team's final ones and (`with_team`, for the
    lead and the committee) every member's. Each module's rate from the member's and from the
    final judgements, against the module's pass rate. A fixed number of queries."""
    full = version_full(version=project.standard_version)
    own = ({j.item_id: j for j in Judgement.objects.filter(member=member)}
           if member is not None else {})
    finals = {f.item_id: f for f in FinalJudgement.objects.filter(project=project)}
    team: dict[int, list[Judgement]] = defaultdict(list)
    if with_team:
        for judgement in (Judgement.objects.filter(member__project=project,
                                                   member__state=MemberState.DRAWN)
                          .select_related("member__reviewer").order_by("member__role",
                                                                       "member_id")):
            team[judgement.item_id].append(judgement)
    modules = []
    for page, views in full.modules:
        items = [ChecklistItem(item=view.item, permalink=view.permalink,
                               own=own.get(view.item.pk), final=finals.get(view.item.pk),
                               team=team.get(view.item.pk, []))
                 for view in views]
        modules.append(ChecklistModule(
            page=page, items=items,
            own=_rate(page, items, [i.own.verdict for i in items if i.own]),
            final=_rate(page, items, [i.final.verdict for i in items if i.final]),
        ))
    return Checklist(modules=modules)


# --------------------------------------------------------------------------- the decision


def projects_consolidated() -> QuerySet[ReviewProject]:
    """What the expert committee has to decide, oldest consolidation first."""
    return (ReviewProject.objects.filter(state=ProjectState.CONSOLIDATED)
            .select_related("organisation", "standard_version", "consolidated_by")
            .order_by("consolidated_at", "pk"))


def project_was_on_team(project: ReviewProject, user: User) -> bool:
    """Drawn for the project at any time (a declined place counts: the committee member who
    decides must never have been on the team)."""
    return project.members.filter(reviewer=user).exists()


def project_lead(project: ReviewProject) -> TeamMember | None:
    return (project.members.filter(role=TeamRole.LEAD, state=MemberState.DRAWN)
            .select_related("reviewer").first())


# --- KPI data (issue 13): who reads and edits it, the 12 months with their charts, the drawn
# month's checks, and the checks on the items a KPI supports.
@dataclass(frozen=True)
class KpiAccess:
    """What `user` may do with a project's KPI data: the applicant's members read and edit
    (while it is open), the team (signed) and the committee read; anyone else nothing (404).
    The one helper the pages and the API both call."""

    applicant: bool
    viewer: bool

    @property
    def reads(self) -> bool:
        return self.applicant or self.viewer


def kpi_access(user: User, project: ReviewProject) -> KpiAccess:
    applicant = can_act_for_applicant(user, project)
    return KpiAccess(applicant=applicant,
                     viewer=not applicant and evidence_open_to(user, project))


def kpi_data_editable(project: ReviewProject, *, today: dt.date) -> bool:
    """The 12 months freeze with the evidence when document review starts; after that they
    reopen only while a request for more evidence names an item that expects data evidence."""
    if not evidence_is_frozen(project):
        return True
    if project.state not in EVIDENCE_REQUEST_STATES:
        return False
    reopened = evidence_reopened_items(project, today=today)
    return StandardItem.objects.filter(pk__in=reopened, evidence_data=True).exists()


def kpi_sources_open(project: ReviewProject) -> bool:
    """Source records for the drawn month are taken until the review is consolidated."""
    return project.state in (*EVIDENCE_OPEN_STATES, *EVIDENCE_REQUEST_STATES)


def kpi_data_set(project: ReviewProject) -> KpiDataSet | None:
    return KpiDataSet.objects.filter(project=project).select_related("submitted_by").first()


def kpi_figures(project: ReviewProject) -> dict[dt.date, dict[str, KpiMonth]]:
    """The reported months: month → kpi → KpiMonth (one query)."""
    figures: dict[dt.date, dict[str, KpiMonth]] = defaultdict(dict)
    for row in KpiMonth.objects.filter(project=project).order_by("month", "kpi"):
        figures[row.month][row.kpi] = row
    return dict(figures)


@dataclass
class KpiSeries:
    definition: KpiDefinition
    points: list[KpiMonth]  # by month
    check: KpiCheck | None
    chart: str  # inline SVG (safe)
    drawn: dt.date | None

    @property
    def kpi(self) -> str:
        return self.definition.kpi.value


@dataclass
class KpiOverview:
    data_set: KpiDataSet | None
    months: list[dt.date]
    series: list[KpiSeries]
    checks: list[KpiCheck]
    sources: dict[str, KpiSource]  # the current file of each kind
    editable: bool
    sources_open: bool

    @property
    def complete(self) -> bool:
        return len(self.months) == 12

    @property
    def drawn_month(self) -> dt.date | None:
        return self.data_set.drawn_month if self.data_set else None

    @property
    def flagged(self) -> list[KpiCheck]:
        return [check for check in self.checks if check.flagged]


def kpi_current_sources(data_set: KpiDataSet) -> dict[str, KpiSource]:
    """The last upload of each kind (earlier ones are kept, superseded)."""
    current: dict[str, KpiSource] = {}
    for source in (data_set.sources.select_related("uploaded_by")
                   .order_by("kind", "-uploaded_at", "-pk")):
        current.setdefault(source.kind, source)
    return current


def kpi_overview(project: ReviewProject, *, today: dt.date) -> KpiOverview:
    """Everything the KPI page shows: the data set and its parameters, the months, per KPI its
    12 values with an SVG chart (the drawn month marked) and its check, the current source
    records. A fixed number of queries."""
    from .kpi_charts import kpi_chart_svg

    data_set = kpi_data_set(project)
    figures = kpi_figures(project)
    months = sorted(figures)
    checks = (list(data_set.checks.select_related("source").order_by("kpi"))
              if data_set else [])
    by_kpi = {check.kpi: check for check in checks}
    drawn = data_set.drawn_month if data_set else None
    series = []
    for kpi, definition in KPI_DEFINITIONS.items():
        points = [figures[month][kpi] for month in months if kpi in figures[month]]
        series.append(KpiSeries(
            definition=definition, points=points, check=by_kpi.get(kpi), drawn=drawn,
            chart=kpi_chart_svg(kpi=kpi, points=[(p.month, p.value) for p in points],
                                drawn=drawn, chart_id=f"kpi-{kpi}")))
    return KpiOverview(
        data_set=data_set, months=months, series=series, checks=checks,
        sources=kpi_current_sources(data_set) if data_set else {},
        editable=kpi_data_editable(project, today=today), sources_open=kpi_sources_open(project))


def kpi_checks_by_item(project: ReviewProject,
                       item_ids: Iterable[int]) -> dict[int, list[KpiCheck]]:
    """The drawn month's checks shown on each item: those of the KPIs that support the item's
    module (`KpiDefinition.modules`), on items that expect data evidence. Two queries,
    whatever the number of items (a module, the checklist)."""
    item_ids = list(item_ids)
    checks = list(KpiCheck.objects.filter(data_set__project=project).order_by("kpi"))
    if not checks or not item_ids:
        return {}
    result: dict[int, list[KpiCheck]] = {}
    for item_id, number in (StandardItem.objects.filter(pk__in=item_ids, evidence_data=True)
                            .values_list("pk", "module__number")):
        supported = [check for check in checks
                     if number in KPI_DEFINITIONS[check.kpi].modules]
        if supported:
            result[item_id] = supported
    return result


def kpi_checks_for_item(project: ReviewProject, item: StandardItem) -> list[KpiCheck]:
    return kpi_checks_by_item(project, [item.pk]).get(item.pk, [])



# --- Benchmarking by industry (KPIs of reviewed organisations) and reviewers' fees
# (issue 14; docs/reviews.md, "Benchmarking by industry" and "Reviewers' fees").


@dataclass(frozen=True)
class BenchmarkContribution:
    organisation_id: int
    # The organisation's name only when it agreed to be named (`benchmark_named`), else None.
    name: str | None
    value: Decimal


@dataclass(frozen=True)
class BenchmarkCell:
    """A KPI × industry cell with at least `REVIEWS_BENCHMARK_MIN_ORGANISATIONS`
    organisations; a smaller one is never built."""

    kpi: str
    industry: str
    n: int
    quartiles: Quartiles
    # Best first by the KPI's direction; anonymous ones unnamed.
    contributions: list[BenchmarkContribution]

    @property
    def industry_label(self) -> str:
        return str(Industry(self.industry).label)


@dataclass(frozen=True)
class KpiBenchmark:
    definition: KpiDefinition
    cells: list[BenchmarkCell]  # the cells shown, in the industry list's order
    hidden_industries: list[str]  # every other industry (labels): none of its figures shown

    @property
    def kpi(self) -> str:
        return self.definition.kpi.value

    @property
    def label(self) -> str:
        return str(self.definition.kpi.label)

    @property
    def unit(self) -> str:
        return str(self.definition.unit.label)


def _benchmark_projects(organisation_ids: Iterable[int] | None = None,
                        *, decided_only: bool = True) -> dict[int, ReviewProject]:
    """Per organisation, the project whose KPI months it is benchmarked with: its latest
    decided project (by decision time, then id) that reported KPI data. With `decided_only`
    False (an organisation's own view before its review is decided), its latest project with
    data when none decided has any. One query."""
    projects = (ReviewProject.objects.filter(Exists(KpiMonth.objects.filter(
        project_id=OuterRef("pk"))))
        .select_related("organisation__review_profile"))
    if decided_only:
        projects = projects.filter(state__in=DECIDED_STATES)
    if organisation_ids is not None:
        projects = projects.filter(organisation_id__in=list(organisation_ids))
    chosen: dict[int, ReviewProject] = {}
    for project in sorted(
            projects,
            key=lambda p: (p.state in DECIDED_STATES,
                           p.decided_at or dt.datetime.min.replace(tzinfo=dt.UTC), p.pk),
            reverse=True):
        chosen.setdefault(project.organisation_id, project)
    return chosen


def _pooled_values(project_ids: Iterable[int]) -> dict[tuple[int, str], Decimal]:
    """(project id, KPI) → the KPI over the project's latest `REVIEWS_BENCHMARK_MONTHS`
    months, pooled: Σ numerators ÷ Σ denominators through the KPI's definition (a month with
    more contacts weighs more, as the KPI over the whole period would). One query."""
    months = setting("REVIEWS_BENCHMARK_MONTHS")
    sums: dict[tuple[int, str], list[Decimal]] = {}
    taken: dict[tuple[int, str], int] = defaultdict(int)
    for project_id, kpi, numerator, denominator in (
            KpiMonth.objects.filter(project_id__in=list(project_ids))
            .order_by("project_id", "kpi", "-month")
            .values_list("project_id", "kpi", "numerator", "denominator")):
        key = (project_id, kpi)
        if taken[key] >= months or kpi not in KPI_DEFINITIONS:
            continue
        taken[key] += 1
        total = sums.setdefault(key, [Decimal(0), Decimal(0)])
        total[0] += numerator
        total[1] += denominator
    values = {}
    for key, (numerator, denominator) in sums.items():
        value = KPI_DEFINITIONS[key[1]].value(numerator, denominator)
        if value is not None:
            values[key] = value_round(value)
    return values


def benchmark(*, min_organisations: int | None = None) -> list[KpiBenchmark]:
    """For each KPI and industry, over the reviewed organisations (each once, with its latest
    decided project's latest 12 months pooled): P25, median, P75 and n; a cell with fewer than
    `REVIEWS_BENCHMARK_MIN_ORGANISATIONS` organisations is left out whole (no figure, not
    even n, is ever built for it), so pages, API and exports cannot show it. Names only of
    organisations that agreed. Two queries."""
    minimum = max(min_organisations if min_organisations is not None
                  else setting("REVIEWS_BENCHMARK_MIN_ORGANISATIONS"), 1)
    chosen = {org_id: p for org_id, p in _benchmark_projects().items()
              if getattr(p.organisation, "review_profile", None) is not None}
    values = _pooled_values(p.pk for p in chosen.values())
    result = []
    for kpi, definition in KPI_DEFINITIONS.items():
        by_industry: dict[str, list[BenchmarkContribution]] = defaultdict(list)
        for org_id, project in chosen.items():
            value = values.get((project.pk, kpi))
            if value is None:
                continue
            profile = project.organisation.review_profile
            by_industry[profile.industry].append(BenchmarkContribution(
                organisation_id=org_id,
                name=project.organisation.name if profile.benchmark_named else None,
                value=value))
        cells, hidden = [], []
        for industry in Industry:
            contributions = by_industry.get(industry.value, [])
            if len(contributions) < minimum:
                hidden.append(str(industry.label))
                continue
            ranked = sorted(contributions, key=lambda c: c.value,
                            reverse=definition.higher_is_better)
            cells.append(BenchmarkCell(
                kpi=kpi, industry=industry.value, n=len(contributions),
                quartiles=quartiles([c.value for c in contributions]), contributions=ranked))
        result.append(KpiBenchmark(definition=definition, cells=cells, hidden_industries=hidden))
    return result


@dataclass(frozen=True)
class KpiPosition:
    definition: KpiDefinition
    value: Decimal | None  # the organisation's own (None: it reported none)
    cell: BenchmarkCell | None  # its industry's cell, None when not shown (too few)
    band: str | None
    against_median: str | None  # "better", "same", "worse"

    @property
    def label(self) -> str:
        return str(self.definition.kpi.label)

    @property
    def unit(self) -> str:
        return str(self.definition.unit.label)

    @property
    def band_label(self) -> str:
        return band_labels()[self.band] if self.band else ""


@dataclass(frozen=True)
class BenchmarkPosition:
    organisation: Organisation
    industry: str | None  # None: no review profile yet
    project: ReviewProject | None  # the project whose data is its own value
    reviewed: bool  # the project is decided (it counts in the benchmark)
    kpis: list[KpiPosition]

    @property
    def industry_label(self) -> str:
        return str(Industry(self.industry).label) if self.industry else ""


def organisation_benchmark_position(organisation: Organisation) -> BenchmarkPosition:
    """An organisation's own position on each KPI against its industry: its value (from its
    latest decided project with KPI data, else its latest project with data, marked not yet
    reviewed), the quarter of the industry it is in and whether it is better or worse than the
    median by the KPI's direction. Against a cell that is not shown, only its own value."""
    profile = OrganisationProfile.objects.filter(organisation=organisation).first()
    industry = profile.industry if profile else None
    project = _benchmark_projects([organisation.pk], decided_only=False).get(organisation.pk)
    own = _pooled_values([project.pk]) if project else {}
    cells = ({cell.kpi: cell for kpi in benchmark() for cell in kpi.cells
              if cell.industry == industry} if industry else {})
    positions = []
    for kpi, definition in KPI_DEFINITIONS.items():
        value = own.get((project.pk, kpi)) if project else None
        cell = cells.get(kpi)
        positions.append(KpiPosition(
            definition=definition, value=value, cell=cell,
            band=band(value, cell.quartiles, higher_is_better=definition.higher_is_better)
            if value is not None and cell else None,
            against_median=against_median(value, cell.quartiles,
                                          higher_is_better=definition.higher_is_better)
            if value is not None and cell else None))
    return BenchmarkPosition(organisation=organisation, industry=industry, project=project,
                             reviewed=bool(project and project.state in DECIDED_STATES),
                             kpis=positions)


def benchmark_position_open_to(user: User, organisation_id: int) -> bool:
    """Who sees an organisation's own benchmark position: its members (admins and colleagues).
    The one rule for the page and the API."""
    return bool(user.is_authenticated and user.is_active
                and organisation_membership(user, organisation_id) is not None)


# Reviewers' fees.
@dataclass(frozen=True)
class FeeLine:
    fee: ReviewerFee

    @property
    def member(self) -> TeamMember:
        return self.fee.member

    @property
    def reviewer(self) -> User:
        return self.fee.member.reviewer

    @property
    def project(self) -> ReviewProject:
        return self.fee.member.project

    @property
    def days(self) -> Decimal:
        return self.fee.document_days + self.fee.onsite_days

    @property
    def labour(self) -> Decimal:
        return (self.days * self.fee.daily_fee).quantize(Decimal("0.01"))

    @property
    def total(self) -> Decimal:
        return self.labour + self.fee.travel_amount


@dataclass(frozen=True)
class FeeTotals:
    document_days: Decimal
    onsite_days: Decimal
    labour: Decimal
    travel: Decimal
    total: Decimal


def fee_totals(lines: Iterable[FeeLine]) -> FeeTotals:
    lines = list(lines)
    return FeeTotals(
        document_days=sum((ln.fee.document_days for ln in lines), Decimal("0.0")),
        onsite_days=sum((ln.fee.onsite_days for ln in lines), Decimal("0.0")),
        labour=sum((ln.labour for ln in lines), Decimal("0.00")),
        travel=sum((ln.fee.travel_amount for ln in lines), Decimal("0.00")),
        total=sum((ln.total for ln in lines), Decimal("0.00")))


@dataclass(frozen=True)
class ReviewerStatement:
    reviewer: User
    lines: list[FeeLine]

    @property
    def totals(self) -> FeeTotals:
        return fee_totals(self.lines)


@dataclass(frozen=True)
class FeeStatement:
    """The fees of a period (work ended from `start` to `end`, both included), per reviewer."""

    start: dt.date
    end: dt.date
    reviewers: list[ReviewerStatement]

    @property
    def lines(self) -> list[FeeLine]:
        return [line for statement in self.reviewers for line in statement.lines]

    @property
    def totals(self) -> FeeTotals:
        return fee_totals(self.lines)


def fee_statement(*, start: dt.date, end: dt.date,
                  reviewer: User | None = None) -> FeeStatement:
    """The statement of a period for one reviewer, or for all of them (by name). One query."""
    fees = (ReviewerFee.objects.filter(work_ended_on__gte=start, work_ended_on__lte=end)
            .select_related("member__reviewer", "member__project__organisation")
            .order_by("member__reviewer__name_zh", "member__reviewer_id", "work_ended_on", "pk"))
    if reviewer is not None:
        fees = fees.filter(member__reviewer=reviewer)
    grouped: dict[int, list[FeeLine]] = {}
    people: dict[int, User] = {}
    for fee in fees:
        grouped.setdefault(fee.member.reviewer_id, []).append(FeeLine(fee))
        people[fee.member.reviewer_id] = fee.member.reviewer
    statements = [ReviewerStatement(reviewer=people[rid], lines=lines)
                  for rid, lines in grouped.items()]
    if reviewer is not None and not statements:
        statements = [ReviewerStatement(reviewer=reviewer, lines=[])]
    return FeeStatement(start=start, end=end, reviewers=statements)


# The projects whose team's days the certification admins record: from document review on.
FEE_PROJECT_STATES = (ProjectState.DOCUMENT_REVIEW, ProjectState.ONSITE_REVIEW,
                      ProjectState.CONSOLIDATED, *DECIDED_STATES)


def fee_projects() -> QuerySet[ReviewProject]:
    """Projects with a team at work or done, newest first, each with its places (declined
    ones left out) and their fee records. Three queries."""
    return (ReviewProject.objects.filter(state__in=FEE_PROJECT_STATES)
            .select_related("organisation")
            .prefetch_related(Prefetch(
                "members",
                queryset=TeamMember.objects.exclude(state=MemberState.DECLINED)
                .select_related("reviewer", "fee").order_by("role", "id"),
                to_attr="fee_members"))
            .order_by("-updated_at", "-pk"))


def fee_member(pk: int) -> TeamMember | None:
    """A place on a team whose fee may be recorded (not a declined one)."""
    return (TeamMember.objects.filter(pk=pk, project__state__in=FEE_PROJECT_STATES)
            .exclude(state=MemberState.DECLINED)
            .select_related("reviewer", "project__organisation", "fee").first())




# --- on-site records and an item's whole evidence


class OnsiteAccess:
    """What `onsite_access` finds: `NONE` (404), `UNSIGNED` (a member before the agreement:
    403), `READ` (the expert committee), `CAPTURE` (a signed member of the team)."""

    NONE = "none"
    UNSIGNED = "unsigned"
    READ = "read"
    CAPTURE = "capture"

    def __init__(self, level: str, member: TeamMember | None = None) -> None:
        self.level = level
        self.member = member

    @property
    def can_read(self) -> bool:
        return self.level in (self.READ, self.CAPTURE)


def onsite_access(user: User, project: ReviewProject) -> OnsiteAccess:
    """The one rule for an item's evidence panel and on-site records, on pages and the API: a
    drawn member who signed the agreement reads and captures (the service checks the project's
    state); the committee (`evidence_open_to`) reads; a member who has not signed is refused;
    anyone else does not see that the project exists."""
    if not (user.is_authenticated and user.is_active):
        return OnsiteAccess(OnsiteAccess.NONE)
    member = membership_for(user=user, project_id=project.pk)
    if member is not None:
        if not member_has_accepted(member):
            return OnsiteAccess(OnsiteAccess.UNSIGNED, member)
        return OnsiteAccess(OnsiteAccess.CAPTURE, member)
    if evidence_open_to(user, project):
        return OnsiteAccess(OnsiteAccess.READ)
    return OnsiteAccess(OnsiteAccess.NONE)


def onsite_records(project: ReviewProject, *,
                   item_id: int | None = None) -> QuerySet[OnsiteRecord]:
    """The team's on-site records of the project (of one item), in the order captured, with
    who captured them and each photo's versions: a fixed number of queries."""
    records = project.onsite_records.all()
    if item_id is not None:
        records = records.filter(item_id=item_id)
    return (records.select_related("captured_by", "item", "photo")
            .prefetch_related(Prefetch("photo__versions",
                                       queryset=EvidenceVersion.objects.order_by("number")))
            .order_by("captured_at", "pk"))


def onsite_record_for_reader(user: User, pk: int) -> OnsiteRecord | None:
    """The record `pk` if `user` may read the project's on-site records, else None (404)."""
    record = (OnsiteRecord.objects.select_related("project__organisation", "item")
              .filter(pk=pk).first())
    if record is None or not onsite_access(user, record.project).can_read:
        return None
    return record


@dataclass
class ItemPanel:
    """All the evidence of one item beside its judgement."""

    item: StandardItem
    expected: list[tuple[str, str]]  # every kind the item expects (the five kinds' flags)
    missing: list[tuple[str, str]]  # expected kinds with nothing supplied or captured yet
    files: list[SuppliedFile]  # the applicant's files, every version
    photos: list[OnsiteRecord]
    interviews: list[OnsiteRecord]
    notes: list[OnsiteRecord]
    # The drawn month's recomputation of the KPIs this item's data supports.
    kpi_checks: list[KpiCheck]


def item_evidence_panel(project: ReviewProject, item: StandardItem) -> ItemPanel:
    """The applicant's files of `item` (with versions and pages), the team's photos, signed
    interviews and notes, the KPI checks on its data, what the item expects and what is still
    missing (data counts as supplied once the 12 months are reported). A fixed number of
    queries whatever the number of files and records."""
    files = [SuppliedFile(evidence=evidence, versions=list(evidence.versions.all()))
             for evidence in (project.evidence.filter(item=item,
                                                      kind__in=APPLICANT_EVIDENCE_KINDS)
                              .order_by("kind", "pk")
                              .prefetch_related(Prefetch(
                                  "versions",
                                  queryset=EvidenceVersion.objects.order_by("number"))))]
    files = [file for file in files if file.versions]
    records = list(onsite_records(project, item_id=item.pk))
    by_kind: dict[str, list[OnsiteRecord]] = defaultdict(list)
    for record in records:
        by_kind[record.kind].append(record)
    present = {file.evidence.kind for file in files}
    if by_kind[OnsiteKind.PHOTO]:
        present.add("photos")
    if by_kind[OnsiteKind.INTERVIEW]:
        present.add("interviews")
    if item.evidence_data and KpiMonth.objects.filter(project=project).exists():
        present.add("data")
    expected = [(kind, str(label)) for kind, label in item.evidence]
    return ItemPanel(item=item, expected=expected,
                     missing=[(kind, label) for kind, label in expected if kind not in present],
                     files=files, photos=by_kind[OnsiteKind.PHOTO],
                     interviews=by_kind[OnsiteKind.INTERVIEW], notes=by_kind[OnsiteKind.NOTE],
                     kpi_checks=kpi_checks_for_item(project, item))


# --- spot-checks, findings, sanctions and reviewers' records (issue 14)
# Why a decided review is not in a spot-check's pool.
SPOTCHECK_EXCLUSION_REASONS = {
    "no_team": _("No team served on it on the platform: there is nothing to re-check"),
    "conflict": _("You served on (or were drawn for) its team"),
    "checked": _("Already drawn by an earlier spot-check"),
}


def _found_wrong(reviewer_ids: list[int]) -> set[tuple[int, int]]:
    """(reviewer, project) pairs a sanction in force names a finding on: the review no longer
    counts as completed for that reviewer."""
    return {
        (reviewer_id, project_id) for reviewer_id, project_id in
        Sanction.objects.filter(reviewer_id__in=reviewer_ids, state=SanctionState.IN_FORCE,
                                findings__isnull=False)
        .values_list("reviewer_id", "findings__judgement__review__project_id")
    }


def platform_completed_reviews(reviewer_ids: Iterable[int]) -> dict[int, int]:
    """Reviews completed on the platform per reviewer: the decided projects (certified, not
    certified, certificate issued) on whose team they served (not declined), less those a
    sanction in force found them wrong on. Two queries. Registered with
    `certification.work_history` in ReviewsConfig.ready (the reviewer ranking), and read by
    `completed_reviews` (the lead qualification)."""
    reviewer_ids = list(reviewer_ids)
    wrong = _found_wrong(reviewer_ids)
    counts: dict[int, int] = defaultdict(int)
    for reviewer_id, project_id in (
        TeamMember.objects.filter(reviewer_id__in=reviewer_ids, project__state__in=DECIDED_STATES)
        .exclude(state=MemberState.DECLINED).values_list("reviewer_id", "project_id")
    ):
        if (reviewer_id, project_id) not in wrong:
            counts[reviewer_id] += 1
    return dict(counts)


def spotcheck_pool(user: User) -> tuple[list[int], dict[int, list[str]]]:
    """The decided reviews a spot-check drawn by `user` draws from (project ids, ascending),
    and those left out with their reason codes: any no team served on (decided without a
    review on the platform), any `user` served on or was drawn for (conflict), and any an
    earlier spot-check drew."""
    decided = set(ReviewProject.objects.filter(state__in=DECIDED_STATES)
                  .values_list("pk", flat=True))
    with_team = set(TeamMember.objects.filter(project_id__in=decided)
                    .exclude(state=MemberState.DECLINED).values_list("project_id", flat=True))
    steps = [
        ("no_team", decided - with_team),
        ("conflict", set(TeamMember.objects.filter(reviewer=user, project_id__in=decided)
                         .values_list("project_id", flat=True))),
        ("checked", set(SpotCheckReview.objects.filter(project_id__in=decided)
                        .values_list("project_id", flat=True))),
    ]
    excluded: dict[int, list[str]] = defaultdict(list)
    for code, ids in steps:
        for project_id in sorted(ids):
            excluded[project_id].append(code)
    return sorted(decided - excluded.keys()), dict(excluded)


def project_items_by_module(project: ReviewProject) -> dict[str, list[int]]:
    """The project's items per module (its number as a string), in the standard's order: what
    a spot-check freezes before sampling."""
    full = version_full(version=project.standard_version)
    return {str(page.number): [view.item.pk for view in views] for page, views in full.modules}


def spot_checks() -> QuerySet[SpotCheck]:
    return (SpotCheck.objects.select_related("created_by")
            .prefetch_related(Prefetch("reviews", queryset=SpotCheckReview.objects
                                       .select_related("project__organisation")
                                       .annotate(judged=Count("judgements"))))
            .order_by("-created_at", "-pk"))


def spot_check_get(pk: int) -> SpotCheck | None:
    return spot_checks().filter(pk=pk).first()


def spot_check_review_get(pk: int) -> SpotCheckReview | None:
    return (SpotCheckReview.objects
            .select_related("spot_check__created_by", "project__organisation",
                            "project__standard_version")
            .filter(pk=pk).first())


@dataclass
class ReviewerVerdict:
    reviewer: User
    role: str
    verdict: str
    reason: str
    own: bool  # False: the lead's final judgement stands for theirs

    def get_verdict_display(self) -> str:
        return str(Verdict(self.verdict).label)


def _team_verdicts(project_ids: Iterable[int], item_ids: Iterable[int]
                   ) -> dict[tuple[int, int], list[ReviewerVerdict]]:
    """Each served reviewer's verdict of each item, per (project, item): their own judgement,
    or, for the lead who recorded only the team's final one, that. Three queries."""
    project_ids, item_ids = list(project_ids), list(item_ids)
    members = list(TeamMember.objects.filter(project_id__in=project_ids, state=MemberState.DRAWN)
                   .select_related("reviewer").order_by("role", "pk"))
    own = {(j.member_id, j.item_id): j for j in
           Judgement.objects.filter(member__in=members, item_id__in=item_ids)}
    finals = {(f.project_id, f.item_id): f for f in
              FinalJudgement.objects.filter(project_id__in=project_ids, item_id__in=item_ids)}
    out: dict[tuple[int, int], list[ReviewerVerdict]] = defaultdict(list)
    for member in members:
        for item_id in item_ids:
            judgement = own.get((member.pk, item_id))
            final = finals.get((member.project_id, item_id))
            if judgement is not None:
                out[(member.project_id, item_id)].append(ReviewerVerdict(
                    reviewer=member.reviewer, role=member.role, verdict=judgement.verdict,
                    reason=judgement.reason, own=True))
            elif final is not None and final.recorded_by_id == member.reviewer_id:
                out[(member.project_id, item_id)].append(ReviewerVerdict(
                    reviewer=member.reviewer, role=member.role, verdict=final.verdict,
                    reason=final.reason, own=False))
    return out


def team_verdicts_for(project: ReviewProject, item_id: int) -> list[ReviewerVerdict]:
    return _team_verdicts([project.pk], [item_id]).get((project.pk, item_id), [])


@dataclass
class SampledItem:
    item: StandardItem
    module: int
    final: FinalJudgement | None
    team: list[ReviewerVerdict]
    check: SpotCheckJudgement | None
    finding: Finding | None

    @property
    def title(self) -> str:
        return str(localized(self.item, "title"))

    @property
    def requirement(self) -> str:
        return str(localized(self.item, "requirement"))


def spotcheck_sample(review: SpotCheckReview) -> list[SampledItem]:
    """The sampled items of a drawn review, module by module in the standard's order, each
    with the team's final judgement, each reviewer's, the committee's re-judgement and its
    finding. A fixed number of queries."""
    ids = review.sample_ids
    items = {i.pk: i for i in StandardItem.objects.filter(pk__in=ids).select_related("module")}
    finals = {f.item_id: f for f in FinalJudgement.objects.filter(project_id=review.project_id,
                                                                  item_id__in=ids)}
    checks = {c.item_id: c for c in review.judgements.select_related("finding")}
    findings = {c.item_id: c.finding for c in checks.values() if hasattr(c, "finding")}
    team = _team_verdicts([review.project_id], ids)
    rows = []
    for number, item_ids in review.sample.items():
        for item_id in item_ids:
            if item_id not in items:
                continue
            rows.append(SampledItem(item=items[item_id], module=int(number),
                                    final=finals.get(item_id),
                                    team=team.get((review.project_id, item_id), []),
                                    check=checks.get(item_id), finding=findings.get(item_id)))
    return rows


def spotcheck_findings(spot_check: SpotCheck | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.select_related(
        "judgement__item", "judgement__review__project__organisation",
        "judgement__review__spot_check").prefetch_related("reviewers")
    if spot_check is not None:
        qs = qs.filter(judgement__review__spot_check=spot_check)
    return qs.order_by("-created_at", "-pk")


def findings_naming(reviewer: User) -> QuerySet[Finding]:
    return spotcheck_findings().filter(reviewers=reviewer)


# --- agreement per reviewer


@dataclass(frozen=True)
class AgreementRow:
    reviewer_id: int
    period: str  # "2026-Q4", or the spot-check's number
    agreement: Agreement


def _agreement_counts(reviewer_ids: list[int] | None) -> list[tuple[int, SpotCheckJudgement,
                                                                    bool]]:
    """(reviewer, re-judgement, agreed) for every re-judged item a reviewer gave a verdict on."""
    checks = list(SpotCheckJudgement.objects.select_related("review"))
    verdicts = _team_verdicts({c.review.project_id for c in checks}, {c.item_id for c in checks})
    wanted = set(reviewer_ids) if reviewer_ids is not None else None
    out = []
    for check in checks:
        for verdict in verdicts.get((check.review.project_id, check.item_id), []):
            if wanted is None or verdict.reviewer.pk in wanted:
                out.append((verdict.reviewer.pk, check, verdict.verdict == check.verdict))
    return out


def quarter_of(moment: dt.datetime) -> str:
    day = timezone.localtime(moment).date()
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def agreement_rates(*, reviewer_ids: list[int] | None = None, by: str = "quarter"
                    ) -> list[AgreementRow]:
    """Per reviewer and period (`by` "quarter": the quarter, Shanghai time, of the committee's
    re-judgement; "spotcheck": the spot-check), the items re-checked that the reviewer had
    judged (their own judgement, or the lead's final one) and how many the committee agreed
    with, exactly (`Agreement.rate` is a Fraction). Every re-judgement counts, the spot-check
    completed or not."""
    totals: dict[tuple[int, str], Agreement] = defaultdict(lambda: Agreement(0, 0))
    for reviewer_id, check, agreed in _agreement_counts(reviewer_ids):
        period = (quarter_of(check.recorded_at) if by == "quarter"
                  else str(check.review.spot_check_id))
        totals[(reviewer_id, period)] += Agreement(1, int(agreed))
    return [AgreementRow(reviewer_id=r, period=p, agreement=a)
            for (r, p), a in sorted(totals.items())]


def agreement_totals(reviewer_ids: list[int] | None = None) -> dict[int, Agreement]:
    totals: dict[int, Agreement] = defaultdict(lambda: Agreement(0, 0))
    for reviewer_id, _check, agreed in _agreement_counts(reviewer_ids):
        totals[reviewer_id] += Agreement(1, int(agreed))
    return dict(totals)


# --- reviewers' records


def review_days(members: Iterable[TeamMember]) -> dict[int, Decimal]:
    """Days worked per place on a team (member id → days): the document-review and on-site
    days recorded for the reviewer's fee where a certification admin recorded them; otherwise
    the distinct dates (Shanghai) on which the member recorded a judgement of the project, or,
    as its lead, a final one. Three queries."""
    members = list(members)
    recorded = {member_id: document + onsite for member_id, document, onsite in
                ReviewerFee.objects.filter(member__in=members).values_list(
                    "member_id", "document_days", "onsite_days")}
    dates: dict[int, set[dt.date]] = defaultdict(set)
    for member_id, moment in Judgement.objects.filter(member__in=members).values_list(
            "member_id", "recorded_at"):
        dates[member_id].add(timezone.localtime(moment).date())
    by_pair = {(m.project_id, m.reviewer_id): m.pk for m in members}
    for project_id, reviewer_id, moment in FinalJudgement.objects.filter(
            project_id__in=[m.project_id for m in members]).values_list(
            "project_id", "recorded_by_id", "recorded_at"):
        place = by_pair.get((project_id, reviewer_id))
        if place is not None:
            dates[place].add(timezone.localtime(moment).date())
    counted = {member_id: Decimal(len(days)) for member_id, days in dates.items()}
    return counted | recorded


@dataclass
class RecordRow:
    member: TeamMember
    days: Decimal
    counts: bool  # counts as a completed review (decided, not found wrong by a sanction)
    found_wrong: bool

    @property
    def project(self) -> ReviewProject:
        return self.member.project


@dataclass
class ReviewerRecord:
    reviewer: User
    rows: list[RecordRow]
    completed: int  # on the platform
    agreement: Agreement
    by_quarter: list[AgreementRow]
    by_spotcheck: list[AgreementRow]
    sanctions: list[Sanction]
    findings: list[Finding]


def reviewer_record(reviewer: User) -> ReviewerRecord:
    """A reviewer's record: every decided review they served on (role, days, whether it counts
    as completed), their agreement rate with its n in total, per quarter and per spot-check,
    the findings naming them and their sanctions with appeals."""
    members = list(TeamMember.objects.filter(reviewer=reviewer, project__state__in=DECIDED_STATES)
                   .exclude(state=MemberState.DECLINED)
                   .select_related("project__organisation", "project__standard_version")
                   .order_by("-project__decided_at", "-pk"))
    days = review_days(members)
    wrong = _found_wrong([reviewer.pk])
    rows = [RecordRow(member=m, days=days.get(m.pk, Decimal(0)),
                      found_wrong=(reviewer.pk, m.project_id) in wrong,
                      counts=(reviewer.pk, m.project_id) not in wrong) for m in members]
    return ReviewerRecord(
        reviewer=reviewer, rows=rows, completed=sum(1 for row in rows if row.counts),
        agreement=agreement_totals([reviewer.pk]).get(reviewer.pk, Agreement(0, 0)),
        by_quarter=agreement_rates(reviewer_ids=[reviewer.pk], by="quarter"),
        by_spotcheck=agreement_rates(reviewer_ids=[reviewer.pk], by="spotcheck"),
        sanctions=list(sanctions_of(reviewer)),
        findings=list(findings_naming(reviewer)),
    )


def reviewers_with_records() -> list[tuple[User, int, Agreement]]:
    """Every holder of a reviewer credential with their completed platform reviews and
    agreement rate (the committee's list), by name."""
    reviewers = list(User.objects.filter(
        pk__in=Credential.objects.filter(credential_type__slug=CredentialType.REVIEWER)
        .values("holder_id")).order_by("name_zh", "pk"))
    ids = [r.pk for r in reviewers]
    completed = platform_completed_reviews(ids)
    agreement = agreement_totals(ids)
    return [(r, completed.get(r.pk, 0), agreement.get(r.pk, Agreement(0, 0)))
            for r in reviewers]


def reviewer_get(pk: int) -> User | None:
    """A holder (now or before) of a reviewer credential, else None."""
    return User.objects.filter(
        pk=pk, pk__in=Credential.objects.filter(credential_type__slug=CredentialType.REVIEWER)
        .values("holder_id")).first()


def reviewer_credential(reviewer: User) -> Credential | None:
    """The reviewer credential a sanction acts on: the latest one not revoked."""
    return (Credential.objects.filter(holder=reviewer,
                                      credential_type__slug=CredentialType.REVIEWER)
            .exclude(status=CredentialStatus.REVOKED).select_related("credential_type")
            .order_by("-expires_on", "-pk").first())


def sanctions_of(reviewer: User) -> QuerySet[Sanction]:
    return (Sanction.objects.filter(reviewer=reviewer)
            .select_related("credential", "created_by")
            .prefetch_related("findings__judgement__item",
                              Prefetch("appeals", queryset=SanctionAppeal.objects
                                       .select_related("resolved_by").order_by("created_at")))
            .order_by("-created_at", "-pk"))


def sanction_get(pk: int) -> Sanction | None:
    return (Sanction.objects.select_related("reviewer", "credential", "created_by")
            .prefetch_related("findings", "appeals").filter(pk=pk).first())


def sanction_appeal_get(pk: int) -> SanctionAppeal | None:
    return (SanctionAppeal.objects.select_related("sanction__reviewer", "sanction__credential")
            .filter(pk=pk).first())


def sanction_appeals_open() -> QuerySet[SanctionAppeal]:
    return (SanctionAppeal.objects.filter(state="open")
            .select_related("sanction__reviewer", "sanction__credential")
            .order_by("created_at", "pk"))


def record_open_to(user: User, reviewer_id: int) -> User | None:
    """The reviewer whose record `user` may read: their own, or any for the expert committee
    (`reviews.spot_check`); None otherwise (the page and the API answer 404). The one gate."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.pk != reviewer_id and not user.has_perm("reviews.spot_check"):
        return None
    return reviewer_get(reviewer_id)


def sanction_for_reviewer(user: User, pk: int) -> Sanction | None:
    """A sanction of `user` (theirs to read and appeal), else None (404)."""
    sanction = sanction_get(pk)
    if sanction is None or sanction.reviewer_id != user.pk:
        return None
    return sanction
