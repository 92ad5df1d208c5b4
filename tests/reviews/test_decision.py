"""The expert committee's decision: a committee member who was never on the team accepts the
team's recommendation or not, with a reason; the people who judge do not decide."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cms.models import StandardItem
from core.models import AuditEntry
from reviews import services
from reviews.models import ProjectState, Recommendation, TeamMember, Verdict

from .conftest import NOW, make_reviewer
from .team import agreement_publish, lead_of, project_in_review, team, version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(home_page):
    return version_make(modules=[1, 2], items=2)


def _consolidated(version, *, conforming: bool = True):
    agreement_publish()
    project = project_in_review(version=version)
    lead = lead_of(project)
    for item in StandardItem.objects.filter(module__path__startswith=version.path):
        services.final_judgement_record(
            member=lead, item=item, reason="依据证据",
            verdict=Verdict.CONFORMS if conforming else Verdict.NOT_CONFORMS, now=NOW)
    services.project_consolidate(member=lead, now=NOW)
    project.refresh_from_db()
    return project


@pytest.fixture
def committee(user_factory):
    return user_factory(roles=["expert_committee"], is_staff=True, name_zh="孙专家")


@pytest.mark.parametrize(("conforming", "accepts", "state"), [
    (True, True, ProjectState.CERTIFIED),
    (True, False, ProjectState.NOT_CERTIFIED),
    (False, True, ProjectState.NOT_CERTIFIED),
    (False, False, ProjectState.CERTIFIED),
])
# A certified decision issues the centre's certificate at once (the project moves on to
# certificate_issued); the audit entry keeps the decision itself.
def test_the_committee_accepts_the_recommendation_or_not(
        version, committee, cert_admin, conforming, accepts, state, mailoutbox,
        django_capture_on_commit_callbacks):
    project = _consolidated(version, conforming=conforming)
    assert project.recommendation == (Recommendation.CERTIFY if conforming
                                      else Recommendation.NOT_CERTIFY)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_decide(project=project, by=committee, accepts=accepts,
                                reason="证据充分，评审过程规范", now=NOW)
    project.refresh_from_db()
    if state == ProjectState.CERTIFIED:
        assert project.state == ProjectState.CERTIFICATE_ISSUED
        assert project.certificate is not None
        assert project.certificate.organisation == project.organisation
    else:
        assert project.state == state and project.certificate is None
    assert (project.decided_by, project.decided_at) == (committee, NOW)
    assert project.decision_accepts is accepts
    assert project.decision_reason == "证据充分，评审过程规范"
    entry = AuditEntry.objects.get(action="reviews.project.decided")
    assert entry.actor == committee and entry.data["state"] == state
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [m.reviewer.email for m in team(project)] + [cert_admin.email])
    assert "证据充分" in mailoutbox[0].body


def test_a_committee_member_who_was_on_the_team_is_refused(version, committee):
    project = _consolidated(version)
    lead = lead_of(project)
    lead.reviewer.groups.add(*committee.groups.all())
    with pytest.raises(services.ReviewError, match="评判者不作决定"):
        services.project_decide(project=project, by=lead.reviewer, accepts=True,
                                reason="x", now=NOW)
    project.refresh_from_db()
    assert project.state == ProjectState.CONSOLIDATED


def test_a_committee_member_who_declined_a_place_on_the_team_is_refused_too(version,
                                                                             committee):
    project = _consolidated(version)
    TeamMember.objects.create(project=project, reviewer=committee, role="member",
                              state="declined", draw=project.draws.first())
    with pytest.raises(services.ReviewError, match="评判者不作决定"):
        services.project_decide(project=project, by=committee, accepts=True, reason="x",
                                now=NOW)


def test_only_a_consolidated_review_with_a_reason_by_the_committee_is_decided(
        version, committee, cert_admin):
    project = _consolidated(version)
    with pytest.raises(services.ReviewError, match="理由"):
        services.project_decide(project=project, by=committee, accepts=True, reason=" ",
                                now=NOW)
    with pytest.raises(services.ReviewError, match="专家委员会"):
        services.project_decide(project=project, by=cert_admin, accepts=True, reason="x",
                                now=NOW)
    services.project_decide(project=project, by=committee, accepts=True, reason="同意",
                            now=NOW)
    with pytest.raises(services.ReviewError, match="已汇总"):
        services.project_decide(project=project, by=committee, accepts=False, reason="再议",
                                now=NOW)


def test_the_committee_decides_on_the_staff_page_with_the_module_table(client, version,
                                                                       committee):
    project = _consolidated(version)
    client.force_login(committee)
    listing = client.get(reverse("reviews:staff_decisions")).content.decode()
    assert project.organisation.name in listing and "建议通过认证" in listing
    url = reverse("reviews:staff_decision", args=[project.pk])
    page = client.get(url).content.decode()
    assert page.count('data-testid="module-row"') == 2 and "100.00%" in page
    response = client.post(url, {"accepts": "yes", "reason": "同意评审组建议"}, follow=True)
    assert "决定已记录" in response.content.decode()
    project.refresh_from_db()
    assert project.state == ProjectState.CERTIFICATE_ISSUED and project.certificate is not None

    # The certificate is on the public list at once and verifies, with its live status.
    client.logout()
    listed = client.get(reverse("reviews:certified")).content.decode()
    assert project.organisation.name in listed and project.certificate.number in listed
    verified = client.get(project.certificate.verification_path()).content.decode()
    assert project.organisation.name in verified and 'data-status="active"' in verified


def test_the_decision_page_tells_a_team_member_on_the_committee_why_not(client, version,
                                                                        committee):
    project = _consolidated(version)
    from accounts.services import user_totp_activate

    member = team(project)[1].reviewer
    member.groups.add(*committee.groups.all())
    user_totp_activate(user=member, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.force_login(member)
    url = reverse("reviews:staff_decision", args=[project.pk])
    assert 'data-testid="on-team"' in client.get(url).content.decode()
    response = client.post(url, {"accepts": "yes", "reason": "x"}, follow=True)
    assert "评判者不作决定" in response.content.decode()
    project.refresh_from_db()
    assert project.state == ProjectState.CONSOLIDATED


def test_the_decision_pages_refuse_a_reviewer_and_a_certification_admin(client, version,
                                                                        cert_admin):
    project = _consolidated(version)
    for person in (make_reviewer(), cert_admin):
        client.force_login(person)
        assert client.get(reverse("reviews:staff_decisions")).status_code == 403
        assert client.post(reverse("reviews:staff_decision", args=[project.pk]),
                           {"accepts": "yes", "reason": "x"}).status_code == 403
