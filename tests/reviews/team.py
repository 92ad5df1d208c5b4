"""A review past its draw, made as the services make it: a published integrity agreement, a
standard version of a chosen shape, a project whose team of three is drawn (the real draw),
members who sign. Shared by the agreement, judgement, decision, API and browser tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress

from accounts.models import Organisation, User
from reviews import services
from reviews.models import (
    AgreementVersion,
    MemberState,
    ProjectState,
    ReviewProject,
    TeamMember,
    TeamRole,
)
from tests.app_token import PASSWORD

from .conftest import NOW, make_reviewer

AGREEMENT_TEXT = "评审员承诺：独立、公正、保密；与受评审组织无利益冲突。"


def agreement_publish(*, number: int = 1, text: str = AGREEMENT_TEXT,
                      published_at: dt.datetime | None = NOW - dt.timedelta(days=30)
                      ) -> AgreementVersion:
    return AgreementVersion.objects.create(number=number, text=text,
                                           text_en="I review independently and impartially.",
                                           published_at=published_at)


def version_make(*, modules: list[int], items: int, code: str = "YD/T 2823-2015") -> Any:
    """A version of the standard with `items` items in each of `modules` (module 1 at 90 %, 4
    and 6 at 80 %, the others at 80 %), imported as editors' files are."""
    from cms.importing import standard_import
    from cms.models import StandardVersionPage
    from tests.cms.conftest import standard_data

    data = standard_data(modules=modules, items=items, code=code)
    standard_import(data=data)
    return StandardVersionPage.objects.get(code=data["standard"]["code"])


def reviewer_with_login(**fields: Any) -> User:
    """A registered reviewer who can sign in with the test password."""
    user = make_reviewer(employer=Organisation.objects.create(name=f"{fields.get('name_zh', '')}单位"),
                         reviews=2, **fields)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def project_drawn(*, version: Any, organisation: Organisation | None = None,
                  names: tuple[str, ...] = ("赵一", "钱二", "孙三")) -> ReviewProject:
    """An accepted project of `version` whose team is drawn from exactly three reviewers (all
    qualified to lead), so each of them is on it."""
    project = ReviewProject.objects.create(
        organisation=organisation or Organisation.objects.create(name="受评审中心"),
        standard_version=version, state=ProjectState.ACCEPTED, scope="北京总部")
    for name in names:
        reviewer_with_login(name_zh=name, name_en=f"{name} EN")
    services.draw_run(project=project, by=None, now=NOW)
    return project


def team(project: ReviewProject) -> list[TeamMember]:
    """The drawn members, lead first."""
    return list(project.members.filter(state=MemberState.DRAWN).select_related("reviewer")
                .order_by("role", "id"))


def lead_of(project: ReviewProject) -> TeamMember:
    return project.members.select_related("reviewer").get(role=TeamRole.LEAD,
                                                          state=MemberState.DRAWN)


def sign(member: TeamMember) -> Any:
    return services.agreement_accept(member=member, full_name=member.reviewer.name_zh,
                                     no_conflict=True, ip_address="203.0.113.7", now=NOW)


def project_in_review(*, version: Any) -> ReviewProject:
    """A project whose whole team has signed: in document review."""
    project = project_drawn(version=version)
    for member in team(project):
        sign(member)
    project.refresh_from_db()
    assert project.state == ProjectState.DOCUMENT_REVIEW
    return project
