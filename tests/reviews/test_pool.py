"""Who is in the eligible pool of a project, who is not and why; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Organisation
from certification.models import AffiliationKind, OrganisationAffiliation
from certification.selectors import organisations_conflicting_with
from reviews import selectors
from reviews.models import MemberState, ProjectState, ReviewerDeclaredConflict, TeamMember

from .conftest import NOW, TODAY, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(organisation_factory, project_factory):
    """Applicant ── subsidiary of ── Group; Partner ── partner of ── Group; Firm consults."""
    orgs = {name: organisation_factory(name=name)
            for name in ("Applicant", "Group", "Partner", "Firm", "Elsewhere")}
    OrganisationAffiliation.objects.create(organisation=orgs["Applicant"],
                                           kind=AffiliationKind.SUBSIDIARY, other=orgs["Group"])
    OrganisationAffiliation.objects.create(organisation=orgs["Partner"],
                                           kind=AffiliationKind.PARTNER, other=orgs["Group"])
    people = {
        "free": make_reviewer(employer=orgs["Elsewhere"]),
        "employed_by_partner": make_reviewer(employer=orgs["Partner"]),
        "left_group_a_year_ago": make_reviewer(
            employer=orgs["Elsewhere"],
            positions=[(orgs["Group"], dt.date(2018, 1, 1), dt.date(2025, 11, 30))]),
        "left_group_three_years_ago": make_reviewer(
            employer=orgs["Elsewhere"],
            positions=[(orgs["Group"], dt.date(2015, 1, 1), dt.date(2023, 10, 1))]),
        "coordinator_who_prepared": make_reviewer(employer=orgs["Elsewhere"]),
        "consultant": make_reviewer(employer=orgs["Firm"]),
        "suspended": make_reviewer(employer=orgs["Elsewhere"], status="suspended"),
        "expired": make_reviewer(employer=orgs["Elsewhere"], expires_on=dt.date(2026, 1, 1)),
        "declared": make_reviewer(employer=orgs["Elsewhere"]),
    }
    ReviewerDeclaredConflict.objects.create(reviewer=people["declared"],
                                            organisation=orgs["Partner"], reason="亲属")
    project = project_factory(organisation=orgs["Applicant"], consulting_firm=orgs["Firm"],
                              coordinators=[people["coordinator_who_prepared"]])
    return orgs, people, project


def test_the_pool_applies_every_exclusion_and_says_why(world):
    _orgs, people, project = world
    pool = selectors.eligible_pool(project, today=TODAY)
    assert set(pool.eligible) == {people["free"].pk, people["left_group_three_years_ago"].pk}
    why = {label: pool.excluded.get(person.pk) for label, person in people.items()}
    assert why == {
        "free": None, "left_group_three_years_ago": None,
        "employed_by_partner": ["employed"], "left_group_a_year_ago": ["employed"],
        "coordinator_who_prepared": ["preparer"], "consultant": ["preparer"],
        "suspended": ["not_active"], "expired": ["not_active"], "declared": ["declared"],
    }
    assert "利益冲突范围" in pool.reasons_for(people["employed_by_partner"].pk)[0]
    assert pool.reasons_for(people["free"].pk) == []


def test_the_employment_window_is_a_setting(world, settings):
    _orgs, people, project = world
    settings.REVIEWS_EMPLOYMENT_WINDOW_YEARS = 5
    pool = selectors.eligible_pool(project, today=TODAY)
    assert pool.excluded[people["left_group_three_years_ago"].pk] == ["employed"]


def test_the_previous_cycles_team_is_not_drawn_again(world, project_factory):
    orgs, people, project = world
    from reviews.models import Draw

    earlier = project_factory(organisation=orgs["Applicant"], state=ProjectState.CERTIFIED)
    earlier.created_at = NOW - dt.timedelta(days=3 * 365)
    earlier.save()
    project.created_at = NOW
    project.save()
    draw = Draw.objects.create(project=earlier, kind="draw", pool=[], qualified=[], seed="00",
                               team_size=1, lead_rule="", team=[], created_at=NOW)
    TeamMember.objects.create(project=earlier, reviewer=people["free"], role="lead", draw=draw)
    TeamMember.objects.create(project=earlier, reviewer=people["left_group_three_years_ago"],
                              role="member", draw=draw, state=MemberState.DECLINED)
    pool = selectors.eligible_pool(project, today=TODAY)
    assert pool.excluded[people["free"].pk] == ["rotation"]
    assert people["left_group_three_years_ago"].pk in pool.eligible  # declined: did not serve


def test_the_pool_query_count_does_not_grow_with_the_pool(world, organisation_factory):
    orgs, _people, project = world

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.eligible_pool(project, today=TODAY)
            selectors.qualified_to_lead(selectors.eligible_pool(project, today=TODAY).eligible)
        return len(captured)

    before = queries()
    for n in range(30):
        make_reviewer(employer=organisation_factory(),
                      positions=[(orgs["Group"], dt.date(2010, 1, 1), dt.date(2011, 1, 1))],
                      reviews=n % 3)
    assert queries() == before


def test_lead_qualification_counts_work_history_and_decided_projects(world, settings):
    orgs, _people, _project = world
    veteran = make_reviewer(employer=orgs["Elsewhere"], reviews=2)
    novice = make_reviewer(employer=orgs["Elsewhere"], reviews=1)
    assert selectors.qualified_to_lead([veteran.pk, novice.pk]) == [veteran.pk]
    settings.REVIEWS_LEAD_MIN_REVIEWS = 1
    assert selectors.qualified_to_lead([veteran.pk, novice.pk]) == sorted([veteran.pk, novice.pk])


# --------------------------------------------------------------------------- property-based

graphs = st.fixed_dictionaries({
    # affiliations among 8 organisations: (a, kind, b), a ≠ b
    "links": st.lists(st.tuples(st.integers(0, 7), st.sampled_from(list(AffiliationKind.values)),
                                st.integers(0, 7)).filter(lambda t: t[0] != t[2]),
                      max_size=12, unique_by=lambda t: (t[0], t[1], t[2])),
    # reviewers: employer (or None), positions (org, start year, end year or None)
    "reviewers": st.lists(st.tuples(
        st.one_of(st.none(), st.integers(0, 7)),
        st.lists(st.tuples(st.integers(0, 7), st.integers(2010, 2026),
                           st.one_of(st.none(), st.integers(0, 16))), max_size=3),
        st.booleans(),  # declares a conflict with a random organisation
        st.integers(0, 7),
    ), min_size=1, max_size=10),
    "applicant": st.integers(0, 7),
})


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=graphs)
def test_no_one_in_the_pool_or_a_drawn_team_is_ever_conflicted(case, project_factory):
    from django.db import transaction

    from reviews.draw import draw_team

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            orgs = [Organisation.objects.create(name=f"图组织{i}") for i in range(8)]
            for a, kind, b in case["links"]:
                OrganisationAffiliation.objects.create(organisation=orgs[a], kind=kind,
                                                       other=orgs[b])
            people = []
            for employer, positions, declares, declared_org in case["reviewers"]:
                spans = [(orgs[o], dt.date(start, 1, 1),
                          None if length is None else dt.date(start + length, 1, 1)
                          if start + length <= 2030 else None)
                         for o, start, length in positions]
                person = make_reviewer(employer=None if employer is None else orgs[employer],
                                       positions=spans)
                if declares:
                    ReviewerDeclaredConflict.objects.create(reviewer=person,
                                                            organisation=orgs[declared_org])
                people.append((person, employer, spans, declares, declared_org))
            project = project_factory(organisation=orgs[case["applicant"]])
            conflict = organisations_conflicting_with(orgs[case["applicant"]].pk)
            pool = selectors.eligible_pool(project, today=TODAY)
            window_start = dt.date(2024, 11, 24)
            for person, employer, spans, declares, declared_org in people:
                conflicted = (
                    (employer is not None and orgs[employer].pk in conflict)
                    or any(org.pk in conflict and start <= TODAY
                           and (end is None or end >= window_start)
                           for org, start, end in spans)
                    or (declares and orgs[declared_org].pk in conflict)
                )
                assert (person.pk in pool.eligible) == (not conflicted), (case, person.pk)
            if pool.eligible:
                team = draw_team(pool=pool.eligible, seed="5e" * 32, team_size=1,
                                 qualified=pool.eligible)
                assert set(team.team) <= set(pool.eligible)
            raise Rollback
    except Rollback:
        pass
