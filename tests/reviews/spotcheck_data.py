"""Decided reviews made directly (a team, its judgements, the committee's decision), for the
spot-check tests: fast enough to make a dozen, exact enough to know every verdict."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from accounts.models import Organisation, User
from cms.models import StandardItem
from reviews.models import (
    FinalJudgement,
    Judgement,
    ProjectState,
    ReviewProject,
    TeamMember,
    Verdict,
)

from .conftest import NOW, team_make

C, N = Verdict.CONFORMS, Verdict.NOT_CONFORMS


def version_items_of(version: Any) -> list[StandardItem]:
    from cms.selectors import version_items

    return list(version_items(version=version))


def decided_review(*, version: Any, lead: User, members: Iterable[User] = (),
                   own: Mapping[tuple[int, int], str] | None = None,
                   finals: Mapping[int, str] | None = None, name: str = "",
                   at: dt.datetime = NOW) -> ReviewProject:
    """A certified project of `version` whose team is `lead` and `members`: the lead's final
    judgement of every item (`finals` item id → verdict, conforming otherwise) and the members'
    own judgements `own` ((reviewer id, item id) → verdict)."""
    organisation = Organisation.objects.create(name=name or f"受评审中心{Organisation.objects.count()}")
    project = ReviewProject.objects.create(
        organisation=organisation, standard_version=version, state=ProjectState.ACCEPTED,
        scope="总部")
    team_make(project, lead=lead, members=list(members))
    for item in version_items_of(version):
        FinalJudgement.objects.create(project=project, item=item,
                                      verdict=(finals or {}).get(item.pk, C), reason="依据证据",
                                      recorded_by=lead, recorded_at=at)
    places = {m.reviewer_id: m for m in TeamMember.objects.filter(project=project)}
    for (reviewer_id, item_id), verdict in (own or {}).items():
        Judgement.objects.create(member=places[reviewer_id], item_id=item_id, verdict=verdict,
                                 reason="本人判断", recorded_at=at)
    ReviewProject.objects.filter(pk=project.pk).update(
        state=ProjectState.CERTIFIED, recommendation="certify", decision_accepts=True,
        decided_at=at, consolidated_at=at)
    project.refresh_from_db()
    return project
