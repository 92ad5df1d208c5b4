"""Reads of the review: the eligible pool of a project, with the reason each reviewer left out
is not in it, and who is qualified to lead (set-based: a fixed number of queries whatever the
number of reviewers or organisations); a member's place and agreement; the checklist of a
project with its judgements and the modules' rates."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from certification.models import (
    ApplicationStatus,
    Credential,
    CredentialStatus,
    CredentialType,
    ReviewExperience,
    WorkPosition,
)
from certification.selectors import organisations_conflicting_with
from cms.models import StandardItem, StandardModulePage, localized
from cms.selectors import version_full

from .conf import setting
from .models import (
    DECIDED_STATES,
    AgreementVersion,
    Draw,
    DrawKind,
    FinalJudgement,
    Judgement,
    MemberState,
    ProjectState,
    ReviewerDeclaredConflict,
    ReviewProject,
    TeamMember,
    TeamRole,
    Verdict,
)
from .rates import ModuleRate, module_rate, review_passes

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
    work history, plus the platform's projects the committee has decided on which they served.
    Two queries."""
    reviewer_ids = list(reviewer_ids)
    counts: dict[int, int] = defaultdict(int)
    for applicant_id, number in (
        ReviewExperience.objects.filter(application__applicant_id__in=reviewer_ids,
                                        application__status=ApplicationStatus.PROMOTED)
        .values_list("application__applicant_id").annotate(n=Count("pk"))
    ):
        counts[applicant_id] += number
    for reviewer_id, number in (
        TeamMember.objects.filter(reviewer_id__in=reviewer_ids, project__state__in=DECIDED_STATES)
        .exclude(state=MemberState.DECLINED)
        .values_list("reviewer_id").annotate(n=Count("pk"))
    ):
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


def project_team(project: ReviewProject) -> QuerySet[TeamMember]:
    return project.members.select_related("reviewer", "draw").order_by("role", "id")


def memberships_of(user: User) -> QuerySet[TeamMember]:
    return (TeamMember.objects.filter(reviewer=user)
            .select_related("project__organisation", "project__standard_version")
            .order_by("-project__created_at", "-id"))


def users_by_id(ids: Iterable[int]) -> dict[int, User]:
    return {user.pk: user for user in User.objects.filter(pk__in=list(ids))
            .select_related("organisation")}


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
