"""Which reviewers have no conflict with organisation X (a small affiliation graph).

    Group ── parent of ──> Sub1 ── parent of ──> SubSub
      └──── parent of ──> Sub2
    Partner ── partner of ── Sub1          PartnerParent ── parent of ──> Partner
    Partner ── partner of ── Far           Independent (no links)
"""

from __future__ import annotations

import datetime as dt

import pytest

from certification import selectors, services

from .conftest import position


@pytest.fixture
def graph(organisation_factory):
    names = ["Group", "Sub1", "Sub2", "SubSub", "Partner", "PartnerParent", "Far", "Independent"]
    orgs = {name: organisation_factory(name=name) for name in names}
    links = [("Group", "parent", "Sub1"), ("Sub1", "parent", "SubSub"),
             ("Sub2", "subsidiary", "Group"), ("Partner", "partner", "Sub1"),
             ("PartnerParent", "parent", "Partner"), ("Partner", "partner", "Far")]
    for a, kind, b in links:
        services.affiliation_record(organisation=orgs[a], kind=kind, other=orgs[b], actor=None)
    return orgs


def _names(ids, orgs):
    return {name for name, org in orgs.items() if org.pk in ids}


def test_conflict_set_follows_corporate_chains_and_direct_partners(graph):
    assert _names(selectors.organisations_conflicting_with(graph["SubSub"].pk), graph) == {
        "Group", "Sub1", "Sub2", "SubSub", "Partner", "PartnerParent"}
    assert _names(selectors.organisations_conflicting_with(graph["Far"].pk), graph) == {
        "Far", "Partner", "PartnerParent"}
    assert _names(selectors.organisations_conflicting_with(graph["Independent"].pk),
                  graph) == {"Independent"}


@pytest.fixture
def reviewers(graph, user_factory, coordinator_factory, cert_admin):
    """One reviewer per situation; returns {label: user}."""
    people = {}
    situations = {
        # label: (employer, position held in the work history, end of that position)
        "employed_by_subsub": (graph["SubSub"], "SubSub", None),
        "employed_by_partner_parent": (graph["PartnerParent"], "PartnerParent", None),
        "independent": (graph["Independent"], "Independent", None),
        "no_employer_but_current_job_at_sub2": (None, "Sub2", None),
        "past_job_at_sub2": (graph["Independent"], "Sub2", dt.date(2020, 1, 1)),
    }
    for label, (employer, held, end) in situations.items():
        person = coordinator_factory(organisation=employer)
        application = services.reviewer_application_submit(
            applicant=person, attested=True, reviews=[],
            positions=[position(held, start=dt.date(2015, 1, 1), end=end)])
        services.reviewer_applications_promote(application_ids=[application.pk],
                                               actor=cert_admin, reason="测试")
        people[label] = person
    # A coordinator who is not a reviewer never appears.
    people["plain_coordinator"] = coordinator_factory(organisation=graph["Independent"])
    return people


def test_reviewers_without_conflict_for_an_organisation(graph, reviewers):
    free = set(selectors.reviewers_without_conflict(organisation_id=graph["Sub1"].pk))
    assert free == {reviewers["independent"], reviewers["past_job_at_sub2"]}

    free_for_independent = set(
        selectors.reviewers_without_conflict(organisation_id=graph["Independent"].pk))
    assert free_for_independent == {reviewers["employed_by_subsub"],
                                    reviewers["employed_by_partner_parent"],
                                    reviewers["no_employer_but_current_job_at_sub2"]}


def test_a_suspended_reviewer_is_not_offered(graph, reviewers, cert_admin):
    person = reviewers["independent"]
    reviewer_credential = person.credentials.get(credential_type__slug="reviewer")
    services.credential_suspend(credential=reviewer_credential, actor=cert_admin, reason="核查")
    assert person not in set(selectors.reviewers_without_conflict(organisation_id=graph["Sub1"].pk))


def test_an_organisation_cannot_be_affiliated_with_itself(graph):
    with pytest.raises(services.CertificationError):
        services.affiliation_record(organisation=graph["Group"], kind="partner",
                                    other=graph["Group"], actor=None)


def test_admins_record_affiliations_in_the_admin_and_it_is_audited(client, cert_admin,
                                                                   organisation_factory):
    from certification.models import OrganisationAffiliation
    from core.models import AuditEntry

    parent, child = organisation_factory(name="母公司甲"), organisation_factory(name="子公司乙")
    client.force_login(cert_admin)
    response = client.post("/django-admin/certification/organisationaffiliation/add/", {
        "organisation": parent.pk, "kind": "parent", "other": child.pk, "note": "控股 60%"})
    assert response.status_code == 302, response.content.decode()[:2000]
    affiliation = OrganisationAffiliation.objects.get()
    assert (affiliation.organisation, affiliation.other) == (parent, child)
    assert AuditEntry.objects.for_object(affiliation).get().actor == cert_admin
    assert selectors.organisations_conflicting_with(child.pk) == {parent.pk, child.pk}
