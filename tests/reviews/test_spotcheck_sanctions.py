"""Sanctions on spot-check findings, through certification's status service: suspend (the
verification page and API say suspended; an upheld appeal reinstates), warn (recorded, status
unchanged), withdraw (revoked, final); the reviewers' records and the ranking they feed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from certification.models import (
    ApplicationStatus,
    Credential,
    CredentialStatus,
    CredentialType,
    ReviewerApplication,
)
from certification.selectors import reviewer_candidates_ranked
from core.models import AuditEntry
from reviews import selectors, services
from reviews.models import ProjectState, ReviewProject, SanctionState

from .conftest import NOW, TODAY, make_reviewer
from .spotcheck_data import N, decided_review
from .team import version_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(home_page):
    return version_make(modules=[1, 2], items=2)


@pytest.fixture
def committee(user_factory):
    return user_factory(roles=["expert_committee"], is_staff=True, name_zh="孙专家")


@pytest.fixture
def colleague(user_factory):
    return user_factory(roles=["expert_committee"], is_staff=True, name_zh="周专家")


@pytest.fixture
def found(version, committee):
    """A decided review whose lead the committee found wrong on one item."""
    lead = make_reviewer(name_zh="王组长", email="lead@example.com")
    project = decided_review(version=version, lead=lead)
    spot_check = services.spotcheck_draw(by=committee, now=NOW)
    review = spot_check.reviews.get(project=project)
    check = services.spotcheck_item_judge(review=review, item_id=review.sample_ids[0],
                                          by=committee, verdict=N, reason="未见审批记录",
                                          now=NOW)
    return type("Found", (), {"lead": lead, "project": project, "finding": check.finding,
                              "credential": selectors.reviewer_credential(lead)})


def _impose(found, committee, action, **extra):
    return services.sanction_impose(reviewer=found.lead, action=action,
                                    reason="判断与证据不符", finding_ids=[found.finding.pk],
                                    by=committee, now=NOW, **extra)


def test_suspend_then_appeal_upheld_reinstates(found, committee, colleague, client, mailoutbox,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sanction = _impose(found, committee, "suspend", reason_public=True)
    credential = Credential.objects.get(pk=found.credential.pk)
    assert credential.status == CredentialStatus.SUSPENDED
    assert list(sanction.findings.all()) == [found.finding]
    assert AuditEntry.objects.filter(action="certification.credential.suspended",
                                     actor=committee).count() == 1
    assert AuditEntry.objects.get(action="reviews.sanction.imposed").reason == "判断与证据不符"
    bodies = [m.body for m in mailoutbox if m.to == [found.lead.email]]
    assert len(bodies) == 2  # certification's status email, and how to appeal
    assert any(reverse("reviews:sanction_appeal", args=[sanction.pk]) in b for b in bodies)
    # Verification says so, on the page and through the API.
    page = client.get(credential.verification_path()).content.decode()
    assert "已暂停" in page and "判断与证据不符" in page
    answer = client.get(f"/api/v1/certification/verify/{credential.number}").json()
    assert answer["status"] == "suspended"
    # A suspended reviewer is no longer in a draw's pool.
    applicant = ReviewProject.objects.create(organisation=found.project.organisation,
                                             standard_version=found.project.standard_version,
                                             state=ProjectState.ACCEPTED)
    assert found.lead.pk not in selectors.eligible_pool(applicant, today=TODAY).eligible

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.sanction_appeal_lodge(sanction=sanction, by=found.lead,
                                                reason="证据在附件第3页", now=NOW)
    assert {m.to[0] for m in mailoutbox} == {committee.email, colleague.email}
    with pytest.raises(services.ReviewError):  # one appeal at a time
        services.sanction_appeal_lodge(sanction=sanction, by=found.lead, reason="再次", now=NOW)
    with pytest.raises(services.ReviewError):  # not by the member who imposed it
        services.sanction_appeal_resolve(appeal=appeal, by=committee, upheld=True,
                                         resolution="x", now=NOW)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.sanction_appeal_resolve(appeal=appeal, by=colleague, upheld=True,
                                         resolution="附件第3页确有审批记录", now=NOW)
    credential.refresh_from_db()
    sanction.refresh_from_db()
    assert credential.status == CredentialStatus.ACTIVE
    assert sanction.state == SanctionState.REVERSED
    assert AuditEntry.objects.filter(action="certification.credential.reinstated").exists()
    assert AuditEntry.objects.get(action="reviews.sanction.appeal_upheld").actor == colleague
    assert all(m.to == [found.lead.email] for m in mailoutbox) and len(mailoutbox) == 2
    assert any("附件第3页确有审批记录" in m.body for m in mailoutbox)


def test_an_appeal_rejected_leaves_the_suspension(found, committee, colleague):
    sanction = _impose(found, committee, "suspend")
    appeal = services.sanction_appeal_lodge(sanction=sanction, by=found.lead, reason="不服",
                                            now=NOW)
    services.sanction_appeal_resolve(appeal=appeal, by=colleague, upheld=False,
                                     resolution="证据确实不足", now=NOW)
    assert Credential.objects.get(pk=found.credential.pk).status == CredentialStatus.SUSPENDED
    sanction.refresh_from_db()
    assert sanction.state == SanctionState.IN_FORCE
    with pytest.raises(services.ReviewError):  # resolved: no second appeal
        services.sanction_appeal_lodge(sanction=sanction, by=found.lead, reason="再诉", now=NOW)


def test_a_warning_is_recorded_and_emailed_without_changing_the_status(
        found, committee, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _impose(found, committee, "warn")
    credential = Credential.objects.get(pk=found.credential.pk)
    assert credential.status == CredentialStatus.ACTIVE
    entry = AuditEntry.objects.get(action="certification.credential.warned")
    assert entry.actor == committee and entry.reason == "判断与证据不符"
    assert any("警告" in m.subject for m in mailoutbox if m.to == [found.lead.email])
    assert "有效" in client.get(credential.verification_path()).content.decode()


def test_withdraw_revokes_for_good_and_is_not_appealed(found, committee, client):
    sanction = _impose(found, committee, "withdraw")
    credential = Credential.objects.get(pk=found.credential.pk)
    assert credential.status == CredentialStatus.REVOKED
    assert "已撤销" in client.get(credential.verification_path()).content.decode()
    with pytest.raises(services.ReviewError):
        services.sanction_appeal_lodge(sanction=sanction, by=found.lead, reason="不服", now=NOW)


def test_a_sanction_needs_a_finding_naming_the_reviewer_and_a_reason(found, committee,
                                                                     version):
    bystander = make_reviewer()
    with pytest.raises(services.ReviewError):
        services.sanction_impose(reviewer=bystander, action="suspend", reason="x",
                                 finding_ids=[found.finding.pk], by=committee, now=NOW)
    with pytest.raises(services.ReviewError):
        services.sanction_impose(reviewer=found.lead, action="suspend", reason=" ",
                                 finding_ids=[found.finding.pk], by=committee, now=NOW)
    with pytest.raises(services.ReviewError):  # a reviewer cannot sanction
        services.sanction_impose(reviewer=found.lead, action="suspend", reason="x",
                                 finding_ids=[found.finding.pk], by=bystander, now=NOW)
    assert Credential.objects.get(pk=found.credential.pk).status == CredentialStatus.ACTIVE


def test_the_record_counts_reviews_role_days_and_a_sanctioned_review_stops_counting(
        version, found, committee, colleague):
    second = decided_review(version=version, lead=found.lead,
                            at=NOW + dt.timedelta(days=1))
    record = selectors.reviewer_record(found.lead)
    assert record.completed == 2
    assert {row.project for row in record.rows} == {found.project, second}
    assert all(row.member.role == "lead" and row.days == 1 for row in record.rows)
    assert record.agreement.checked == 1 and record.agreement.agreed == 0
    assert selectors.completed_reviews([found.lead.pk])[found.lead.pk] == 2

    sanction = _impose(found, committee, "warn")
    # Documented rule: a review a sanction in force found them wrong on no longer counts (for
    # the lead qualification and the ranking alike); reversed on appeal, it counts again.
    record = selectors.reviewer_record(found.lead)
    assert record.completed == 1
    assert [row.counts for row in record.rows if row.project == found.project] == [False]
    assert selectors.completed_reviews([found.lead.pk])[found.lead.pk] == 1
    appeal = services.sanction_appeal_lodge(sanction=sanction, by=found.lead, reason="不服",
                                            now=NOW)
    services.sanction_appeal_resolve(appeal=appeal, by=colleague, upheld=True, resolution="认可",
                                     now=NOW)
    assert selectors.completed_reviews([found.lead.pk])[found.lead.pk] == 2



def test_the_record_takes_the_fee_days_once_recorded_instead_of_the_judged_dates(found,
                                                                                  cert_admin):
    """The days of a place on a team are the document-review and on-site days a certification
    admin recorded for the fee (half days kept); until then, the dates judgements were made."""
    def days():
        return [row.days for row in selectors.reviewer_record(found.lead).rows
                if row.project == found.project]

    assert days() == [1]
    place = found.project.members.get(reviewer=found.lead)
    services.fee_record(member=place, by=cert_admin, work_ended_on=TODAY,
                        document_days=Decimal("2.5"), onsite_days=Decimal("1.0"), now=NOW)
    assert days() == [Decimal("3.5")]

def test_the_ranking_counts_platform_reviews_when_one_is_decided(version, user_factory):
    """A coordinator applying to be a reviewer again (their reviewer credential lapsed) who
    served on platform reviews: the ranking's reviews component counts them, without a
    ReviewExperience typed in."""
    candidate = make_reviewer(name_zh="候选人")
    ReviewerApplication.objects.create(  # the new application types in no past review
        applicant=candidate, attested=True, status=ApplicationStatus.PENDING,
        coordinator_credential=Credential.objects.get(
            holder=candidate, credential_type__slug=CredentialType.COORDINATOR))

    def row():
        return next(r for r in reviewer_candidates_ranked(today=TODAY)
                    if r.application.applicant_id == candidate.pk)

    project = decided_review(version=version, lead=candidate)
    before = row()
    assert before.review_count == 1
    ReviewProject.objects.filter(pk=project.pk).update(state=ProjectState.ONSITE_REVIEW)
    undecided = row()
    assert undecided.review_count == 0
    assert undecided.review_points < before.review_points
    assert before.total > undecided.total
    ReviewProject.objects.filter(pk=project.pk).update(state=ProjectState.NOT_CERTIFIED)
    assert row().review_count == 1 and row().review_points == before.review_points
    assert row().total == before.total > Decimal("0")
