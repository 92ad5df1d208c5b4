"""Review fixtures: reviewers with credentials and work histories made directly (fast, so the
property-based tests can build hundreds), an applicant organisation's project, a pinned day."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import Organisation, User
from certification.models import (
    ApplicationStatus,
    Credential,
    CredentialStatus,
    CredentialType,
    ReviewerApplication,
    ReviewExperience,
    WorkPosition,
)
from certification.services import credential_type_get
from reviews.models import (
    AgreementAcceptance,
    AgreementVersion,
    Draw,
    DrawKind,
    MemberRole,
    OrganisationMember,
    ProjectState,
    ReviewProject,
    TeamMember,
    TeamRole,
)

TODAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
_numbers = itertools.count(1)

# (organisation, start, end or None)
Position = tuple[Organisation, dt.date, dt.date | None]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "evidence")}}}


def standard_version_make() -> Any:
    """A small version of the standard (2 modules × 1 item), imported as editors' files are."""
    from cms.importing import standard_import
    from cms.models import StandardVersionPage
    from tests.cms.conftest import standard_data

    data = standard_data(modules=2, items=1)
    standard_import(data=data)
    return StandardVersionPage.objects.get(code=data["standard"]["code"])


@pytest.fixture
def standard_version(home_page: Any) -> Any:
    return standard_version_make()


def make_reviewer(*, employer: Organisation | None = None, positions: Iterable[Position] = (),
                  reviews: int = 0, status: str = CredentialStatus.ACTIVE,
                  expires_on: dt.date = dt.date(2028, 1, 1), **fields: Any) -> User:
    """A registered reviewer: a coordinator credential, the promoted application with its work
    history and `reviews` past reviews, and a reviewer credential in `status`."""
    n = next(_numbers)
    fields.setdefault("email", f"reviewer{n}@example.com")
    fields.setdefault("name_zh", f"评审员{n}")
    user = User.objects.create_user(organisation=employer, **fields)
    # Through the service: a transactional test before this one may have flushed the rows
    # migration 0002 made.
    types = {slug: credential_type_get(slug)
             for slug in (CredentialType.COORDINATOR, CredentialType.REVIEWER)}
    coordinator = Credential.objects.create(
        credential_type=types[CredentialType.COORDINATOR], holder=user, number=f"T-C-{n}",
        source_key=f"test.c:{n}", issued_on=dt.date(2024, 1, 1), expires_on=expires_on)
    application = ReviewerApplication.objects.create(
        applicant=user, coordinator_credential=coordinator, attested=True,
        status=ApplicationStatus.PROMOTED)
    WorkPosition.objects.bulk_create([
        WorkPosition(application=application, organisation=org, role="主管", start_date=start,
                     end_date=end, centre_type="in_house", management_level=2)
        for org, start, end in positions
    ])
    ReviewExperience.objects.bulk_create([
        ReviewExperience(application=application, title=f"评审{i}", organisation_name="某中心",
                         role="组员", year=2024)
        for i in range(reviews)
    ])
    Credential.objects.create(
        credential_type=types[CredentialType.REVIEWER], holder=user, number=f"T-R-{n}",
        source_key=f"test.r:{n}", issued_on=dt.date(2025, 1, 1), expires_on=expires_on,
        status=status)
    return user


@pytest.fixture
def reviewer_factory(db: None) -> Callable[..., User]:
    return make_reviewer


@pytest.fixture
def project_factory(standard_version: Any,
                    organisation_factory: Callable[..., Organisation]) -> Callable[..., Any]:
    def make(*, organisation: Organisation | None = None, state: str = ProjectState.ACCEPTED,
             coordinators: Iterable[User] = (), consulting_firm: Organisation | None = None,
             **fields: Any) -> ReviewProject:
        project = ReviewProject.objects.create(
            organisation=organisation or organisation_factory(), standard_version=standard_version,
            state=state, consulting_firm=consulting_firm, scope="北京总部", **fields)
        project.coordinators.set(list(coordinators))
        return project

    return make


@pytest.fixture
def cert_admin(user_factory: Callable[..., User]) -> User:
    return user_factory(roles=["certification_admin"], is_staff=True, name_zh="钱认证")


# --- The applicant's side
def make_coordinator(*, email: str, number: str, expires_on: dt.date = dt.date(2028, 1, 1),
                     status: str = CredentialStatus.ACTIVE) -> User:
    """A holder of a registered-coordinator credential numbered `number`."""
    user = User.objects.create_user(email=email, name_zh=f"协调员{next(_numbers)}")
    Credential.objects.create(
        credential_type=credential_type_get(CredentialType.COORDINATOR), holder=user,
        number=number, source_key=f"test.coord:{number}", issued_on=dt.date(2024, 1, 1),
        expires_on=expires_on, status=status)
    return user


@pytest.fixture
def applicant(user_factory: Callable[..., User], organisation_factory: Callable[..., Any],
              standard_version: Any) -> Any:
    """An organisation admin (signed up), their organisation with a review profile and two
    sites, and a published standard version."""
    from reviews.models import (
        MemberRole,
        OrganisationMember,
        OrganisationProfile,
        OrganisationSite,
    )

    admin = user_factory(name_zh="王申请", language="zh-hans")
    organisation = organisation_factory(name="示例客服中心", credit_code="")
    OrganisationMember.objects.create(organisation=organisation, user=admin,
                                      role=MemberRole.ADMIN)
    OrganisationProfile.objects.create(organisation=organisation, industry="banking",
                                       centre_type="in_house", seats=300,
                                       channels=["voice", "online_chat"])
    sites = [OrganisationSite.objects.create(organisation=organisation, name=name,
                                             address=f"{name}示例路1号", seats=150)
             for name in ("北京中心", "成都中心")]
    return type("Applicant", (), {"admin": admin, "organisation": organisation, "sites": sites,
                                  "version": standard_version})


@pytest.fixture
def draft(applicant: Any) -> ReviewProject:
    """A complete draft application of `applicant`, declared true, not yet paid."""
    from reviews import services

    return services.application_create(
        organisation=applicant.organisation, by=applicant.admin,
        data=services.ApplicationData(standard_version_id=applicant.version.pk,
                                      site_ids=[applicant.sites[0].pk], declared_true=True))
def team_make(project: ReviewProject, *, lead: User, members: Iterable[User] = ()) -> None:
    """A drawn team, without running the draw (the evidence tests need a team, not a pool),
    each member having signed the integrity agreement."""
    members = list(members)
    ids = [lead.pk, *(m.pk for m in members)]
    draw = Draw.objects.create(project=project, kind=DrawKind.DRAW, pool=ids, qualified=[lead.pk],
                               seed="0" * 64, team_size=len(ids), lead_rule="test", team=ids,
                               lead_id=lead.pk, created_at=NOW)
    places = [TeamMember.objects.create(project=project, reviewer=lead, role=TeamRole.LEAD,
                                        draw=draw)]
    places += [TeamMember.objects.create(project=project, reviewer=member, role=TeamRole.MEMBER,
                                         draw=draw) for member in members]
    version = (AgreementVersion.objects.order_by("-number").first()
               or AgreementVersion.objects.create(number=1, text="评审员诚信协议（测试）",
                                                  published_at=NOW))
    for place in places:
        AgreementAcceptance.objects.create(
            member=place, version=version, text_sha256="0" * 64,
            full_name=place.reviewer.name_zh, no_conflict=True, accepted_at=NOW)


@dataclass
class EvidenceSetup:
    project: ReviewProject
    item: Any  # the first item: it expects documents and process records
    other_item: Any
    applicant: User
    lead: User
    member: User


@pytest.fixture
def evidence_setup(project_factory: Callable[..., Any], organisation_factory: Callable[..., Any],
                   user_factory: Callable[..., User]) -> EvidenceSetup:
    """A project whose team is drawn, a member of the applicant organisation (its coordinator),
    a lead and a member, on a version whose items expect documents and process records."""
    from cms.selectors import version_items

    organisation = organisation_factory(name="示例呼叫中心")
    project = project_factory(organisation=organisation, state=ProjectState.TEAM_DRAWN)
    lead = make_reviewer(employer=organisation_factory(), name_zh="王组长")
    member = make_reviewer(employer=organisation_factory(), name_zh="李评审")
    team_make(project, lead=lead, members=[member])
    item, other_item = version_items(version=project.standard_version)
    applicant = user_factory(organisation=organisation, name_zh="赵协调")
    OrganisationMember.objects.create(organisation=organisation, user=applicant,
                                      role=MemberRole.ADMIN)
    return EvidenceSetup(project=project, item=item, other_item=other_item, applicant=applicant,
                         lead=lead, member=member)


# --- KPI data (tests/reviews/test_kpi*.py)
KPI_DATA_ITEM = {"title": "运营数据", "title_en": "Operating data",
                 "requirement": "组织应按月统计运营指标。", "evidence": ["data"]}


@dataclass
class KpiSetup:
    project: ReviewProject
    data_item: Any  # module 2 (people management), expects data: attrition supports it
    calls_item: Any  # module 3 (on-site management), expects data: the call KPIs support it
    plain_item: Any  # module 2, documents and records only: no KPI check shown
    applicant: User
    lead: User
    member: User


@pytest.fixture
def kpi_setup(home_page: Any, organisation_factory: Callable[..., Any],
              user_factory: Callable[..., User]) -> KpiSetup:
    """A project whose team is drawn and has signed (evidence still open), on a version with
    modules 2 and 3, each with a documents item and an item that expects data; a member of
    the applicant organisation."""
    from cms.importing import standard_import
    from cms.models import StandardItem, StandardVersionPage
    from tests.cms.conftest import standard_data

    data = standard_data(code="YD/T 2823-KPI", modules=[2, 3], items=1, extra_items={
        2: [{**KPI_DATA_ITEM, "code": "5.9.1"}], 3: [{**KPI_DATA_ITEM, "code": "6.9.1"}]})
    standard_import(data=data)
    version = StandardVersionPage.objects.get(code=data["standard"]["code"])
    organisation = organisation_factory(name="示例数据中心")
    project = ReviewProject.objects.create(organisation=organisation, standard_version=version,
                                           state=ProjectState.TEAM_DRAWN, scope="北京总部")
    lead = make_reviewer(employer=organisation_factory(), name_zh="王组长")
    member = make_reviewer(employer=organisation_factory(), name_zh="李评审")
    team_make(project, lead=lead, members=[member])
    applicant = user_factory(organisation=organisation, name_zh="赵数据")
    OrganisationMember.objects.create(organisation=organisation, user=applicant,
                                      role=MemberRole.ADMIN)
    items = StandardItem.objects.filter(module__path__startswith=version.path)
    return KpiSetup(project=project, data_item=items.get(code="5.9.1"),
                    calls_item=items.get(code="6.9.1"), plain_item=items.get(code="5.1.1"),
                    applicant=applicant, lead=lead, member=member)
