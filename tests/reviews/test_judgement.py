"""Judgement: each reviewer's 符合/不符合 with a reason per item, progress per module, the lead's
final judgements with disagreements visible, each module's exact rate against its own pass
rate from the standard version, and consolidation with the team's recommendation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from cms.models import StandardItem, StandardModulePage
from core.models import AuditEntry
from reviews import selectors, services
from reviews.models import (
    FinalJudgement,
    Judgement,
    MemberRole,
    OrganisationMember,
    ProjectState,
    Recommendation,
    TeamRole,
    Verdict,
)
from reviews.rates import module_rate, review_passes
from tests.app_token import app_headers

from .conftest import NOW
from .team import agreement_publish, lead_of, project_drawn, project_in_review, team, version_make

CONFORMS, NOT_CONFORMS = Verdict.CONFORMS, Verdict.NOT_CONFORMS


# --------------------------------------------------------------------------- the arithmetic


def test_18_of_20_at_90_percent_passes_and_17_of_20_fails():
    assert module_rate(number=1, total=20, verdicts=[True] * 18 + [False] * 2,
                       pass_rate=Decimal("90.00")).passes
    assert not module_rate(number=1, total=20, verdicts=[True] * 17 + [False] * 3,
                           pass_rate=Decimal("90.00")).passes


def test_the_rate_is_exact_at_the_boundary_and_over_what_is_judged():
    # 2 of 3 is 66.666…%: a float-free comparison puts it below 66.67 and above 66.66.
    two_of_three = [True, True, False]
    assert not module_rate(number=4, total=3, verdicts=two_of_three,
                           pass_rate=Decimal("66.67")).passes
    assert module_rate(number=4, total=3, verdicts=two_of_three,
                       pass_rate=Decimal("66.66")).passes
    half_judged = module_rate(number=4, total=10, verdicts=[True] * 4 + [False],
                              pass_rate=Decimal("80"))
    assert (half_judged.judged, half_judged.conforming, half_judged.total) == (5, 4, 10)
    assert half_judged.rate_percent == Decimal("80.00") and half_judged.passes
    assert not half_judged.complete


def test_nothing_judged_does_not_pass_and_the_review_needs_every_module():
    nothing = module_rate(number=2, total=5, verdicts=[], pass_rate=Decimal("80"))
    assert nothing.rate is None and not nothing.passes
    passing = module_rate(number=1, total=2, verdicts=[True, True], pass_rate=Decimal("90"))
    failing = module_rate(number=6, total=5, verdicts=[True] * 3 + [False] * 2,
                          pass_rate=Decimal("80"))
    assert review_passes([passing]) and not review_passes([passing, failing])


# --------------------------------------------------------------------------- the services



@pytest.fixture
def version(home_page):
    return version_make(modules=[1, 2], items=20)


@pytest.fixture
def project(version):
    agreement_publish()
    return project_in_review(version=version)


def _items(version, number: int) -> list[StandardItem]:
    module = StandardModulePage.objects.child_of(version).get(number=number)
    return list(StandardItem.objects.filter(module=module).order_by("sort_order", "pk"))


def _finals(lead, items, conforming: int) -> None:
    for n, item in enumerate(items):
        services.final_judgement_record(member=lead, item=item,
                                        verdict=CONFORMS if n < conforming else NOT_CONFORMS,
                                        reason=f"依据记录样本{n}", now=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize(("conforming", "recommendation"), [
    (18, Recommendation.CERTIFY), (17, Recommendation.NOT_CERTIFY)])
def test_the_lead_consolidates_with_the_pass_rate_of_the_standard_version(
        project, version, conforming, recommendation, cert_admin, user_factory, mailoutbox,
        django_capture_on_commit_callbacks):
    committee = user_factory(roles=["expert_committee"], is_staff=True)
    lead = lead_of(project)
    _finals(lead, _items(version, 1), conforming)  # module 1: pass rate 90 %
    _finals(lead, _items(version, 2), 16)  # module 2: 80 %, 16 of 20 is exactly 80 %
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.project_consolidate(member=lead, now=NOW)
    project.refresh_from_db()
    assert project.state == ProjectState.CONSOLIDATED
    assert project.recommendation == recommendation
    assert project.consolidated_at == NOW and project.consolidated_by == lead.reviewer
    entry = AuditEntry.objects.get(action="reviews.project.consolidated")
    assert entry.data["modules"][0] == {"number": 1, "conforming": conforming, "judged": 20,
                                        "pass_rate": "90.00", "passes": conforming == 18}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [m.reviewer.email for m in team(project)] + [cert_admin.email, committee.email])


@pytest.mark.django_db
def test_the_pass_rate_comes_from_the_module_not_a_constant(project, version):
    module = StandardModulePage.objects.child_of(version).get(number=2)
    module.pass_rate = Decimal("85.00")
    module.save()
    lead = lead_of(project)
    _finals(lead, _items(version, 1), 20)
    _finals(lead, _items(version, 2), 16)  # 80 % passed at 80 %, fails at 85 %
    services.project_consolidate(member=lead, now=NOW)
    project.refresh_from_db()
    assert project.recommendation == Recommendation.NOT_CERTIFY


@pytest.mark.django_db
def test_every_module_must_pass(project, version):
    lead = lead_of(project)
    _finals(lead, _items(version, 1), 20)
    _finals(lead, _items(version, 2), 15)  # 75 % of an 80 % module
    checklist = selectors.project_checklist(project)
    assert [m.final.passes for m in checklist.modules] == [True, False]
    assert not checklist.passes
    services.project_consolidate(member=lead, now=NOW)
    project.refresh_from_db()
    assert project.recommendation == Recommendation.NOT_CERTIFY
    # Consolidated: the judgements stand as the committee will read them.
    with pytest.raises(services.ReviewError, match="不在该阶段"):
        services.final_judgement_record(member=lead, item=_items(version, 2)[0],
                                        verdict=CONFORMS, reason="改", now=NOW)


@pytest.mark.django_db
def test_consolidation_waits_for_every_final_judgement(project, version):
    lead = lead_of(project)
    _finals(lead, _items(version, 1), 20)
    _finals(lead, _items(version, 2)[:19], 19)
    with pytest.raises(services.ReviewError, match="尚有 1 个条目"):
        services.project_consolidate(member=lead, now=NOW)
    project.refresh_from_db()
    assert project.state == ProjectState.DOCUMENT_REVIEW and not project.recommendation


@pytest.mark.django_db
def test_progress_counts_what_is_judged_not_only_what_conforms(project, version):
    member = next(m for m in team(project) if m.role == TeamRole.MEMBER)
    items = _items(version, 1)
    services.judgement_record(member=member, item=items[0], verdict=CONFORMS, reason="有记录",
                              now=NOW)
    services.judgement_record(member=member, item=items[1], verdict=NOT_CONFORMS,
                              reason="缺少年度计划", now=NOW)
    services.judgement_record(member=member, item=items[2], verdict=CONFORMS, reason="有",
                              now=NOW)
    first, second = selectors.project_checklist(project, member=member).modules
    assert (first.own.judged, first.own.conforming, first.own.total) == (3, 2, 20)
    assert (second.own.judged, second.own.total) == (0, 20)
    assert first.final.judged == 0  # a member's judgements are not the team's


@pytest.mark.django_db
def test_a_reason_is_required_also_for_conforms_and_the_verdict_is_one_of_two(project, version):
    member = team(project)[1]
    item = _items(version, 1)[0]
    with pytest.raises(services.ReviewError, match="理由"):
        services.judgement_record(member=member, item=item, verdict=CONFORMS, reason="  ",
                                  now=NOW)
    with pytest.raises(services.ReviewError, match="符合"):
        services.judgement_record(member=member, item=item, verdict="maybe", reason="x",
                                  now=NOW)
    assert not Judgement.objects.exists()


@pytest.mark.django_db
def test_an_item_of_another_version_is_refused(project, home_page):
    other = version_make(modules=[3], items=1, code="YD/T 2823-2027")
    foreign = StandardItem.objects.filter(module__path__startswith=other.path).first()
    with pytest.raises(services.ReviewError, match="不属于"):
        services.judgement_record(member=team(project)[0], item=foreign, verdict=CONFORMS,
                                  reason="x", now=NOW)


@pytest.mark.django_db
def test_changing_a_judgement_is_audited_with_the_previous_one(project, version):
    member = team(project)[1]
    item = _items(version, 1)[0]
    services.judgement_record(member=member, item=item, verdict=CONFORMS, reason="有", now=NOW)
    services.judgement_record(member=member, item=item, verdict=CONFORMS, reason="有", now=NOW)
    services.judgement_record(member=member, item=item, verdict=NOT_CONFORMS, reason="复核后缺失",
                              now=NOW)
    judgement = Judgement.objects.get()
    assert (judgement.verdict, judgement.reason) == (NOT_CONFORMS, "复核后缺失")
    entries = list(AuditEntry.objects.filter(action="reviews.judgement.recorded")
                   .order_by("pk"))
    assert [e.data["previous"] for e in entries] == [None, CONFORMS]


@pytest.mark.django_db
def test_only_the_lead_records_the_final_judgement(project, version):
    member = next(m for m in team(project) if m.role == TeamRole.MEMBER)
    with pytest.raises(services.ReviewError, match="评审组长"):
        services.final_judgement_record(member=member, item=_items(version, 1)[0],
                                        verdict=CONFORMS, reason="x", now=NOW)
    with pytest.raises(services.ReviewError, match="评审组长"):
        services.project_consolidate(member=member, now=NOW)
    assert not FinalJudgement.objects.exists()


@pytest.mark.django_db
def test_nothing_is_judged_before_the_whole_team_has_signed(version):
    from .team import sign

    agreement_publish()
    project = project_drawn(version=version)
    first = team(project)[0]
    sign(first)
    item = _items(version, 1)[0]
    with pytest.raises(services.ReviewError, match="文件评审"):
        services.judgement_record(member=first, item=item, verdict=CONFORMS, reason="x",
                                  now=NOW)
    with pytest.raises(services.ReviewError, match="诚信协议"):
        services.judgement_record(member=team(project)[1], item=item, verdict=CONFORMS,
                                  reason="x", now=NOW)


# --------------------------------------------------------------------------- the pages


@pytest.mark.django_db
def test_a_member_judges_an_item_on_its_page_and_goes_on_to_the_next(client, project, version):
    member = team(project)[1]
    items = _items(version, 1)
    client.force_login(member.reviewer)
    url = reverse("reviews:item", args=[project.pk, items[0].pk])
    page = client.get(url).content.decode()
    assert "组织应保持第1项要求的记录" in page and "符合" in page and "不符合" in page
    refused = client.post(url, {"verdict": CONFORMS, "reason": ""})
    assert refused.status_code == 200 and not Judgement.objects.exists()
    response = client.post(url, {"verdict": NOT_CONFORMS, "reason": "未见年度计划"})
    assert response.url == reverse("reviews:item", args=[project.pk, items[1].pk])
    assert Judgement.objects.get().verdict == NOT_CONFORMS
    module = client.get(reverse("reviews:checklist_module", args=[project.pk, 1])).content.decode()
    assert "已评 1/20" in module and "未见年度计划" in module
    overview = client.get(reverse("reviews:checklist", args=[project.pk])).content.decode()
    assert overview.count('data-testid="module-progress"') == 2 and "已评 0/20" in overview


@pytest.mark.django_db
def test_the_lead_sees_each_members_judgement_and_disagreements(client, project, version):
    lead = lead_of(project)
    first, second = [m for m in team(project) if m.role == TeamRole.MEMBER]
    disputed, agreed = _items(version, 1)[:2]
    for member, verdict in ((lead, CONFORMS), (first, CONFORMS), (second, NOT_CONFORMS)):
        services.judgement_record(member=member, item=disputed, verdict=verdict,
                                  reason=f"{member.reviewer.name_zh}的理由", now=NOW)
        services.judgement_record(member=member, item=agreed, verdict=CONFORMS, reason="一致",
                                  now=NOW)
    client.force_login(lead.reviewer)
    overview = client.get(reverse("reviews:final", args=[project.pk])).content.decode()
    assert "1 处意见不一" in overview and "已评" in overview
    module = client.get(reverse("reviews:final_module", args=[project.pk, 1])).content.decode()
    assert module.count("card disagreement") == 1
    page = client.get(reverse("reviews:final_item", args=[project.pk, disputed.pk])).content.decode()
    assert 'data-testid="disagreement"' in page
    assert f"{second.reviewer.name_zh}的理由" in page and f"{first.reviewer.name_zh}的理由" in page
    response = client.post(reverse("reviews:final_item", args=[project.pk, disputed.pk]),
                           {"verdict": NOT_CONFORMS, "reason": "组内复核：记录不完整"})
    assert response.status_code == 302
    final = FinalJudgement.objects.get()
    assert final.recorded_by == lead.reviewer and final.verdict == NOT_CONFORMS
    entry = AuditEntry.objects.get(action="reviews.final.recorded")
    assert entry.data["members"][str(second.reviewer_id)] == NOT_CONFORMS
    # A member is not the lead: the lead's pages are not theirs.
    client.force_login(first.reviewer)
    assert client.get(reverse("reviews:final", args=[project.pk])).status_code == 404


@pytest.mark.django_db
def test_the_lead_consolidates_on_the_page(client, project, version):
    lead = lead_of(project)
    _finals(lead, _items(version, 1), 18)
    _finals(lead, _items(version, 2), 20)
    client.force_login(lead.reviewer)
    page = client.get(reverse("reviews:final", args=[project.pk])).content.decode()
    assert "所有模块均通过" in page and page.count('data-testid="module-row"') == 2
    assert '<td data-label="合格率">90.00%</td>' in page
    client.post(reverse("reviews:consolidate", args=[project.pk]))
    project.refresh_from_db()
    assert project.state == ProjectState.CONSOLIDATED
    assert project.recommendation == Recommendation.CERTIFY


@pytest.mark.django_db
def test_the_checklist_reads_in_a_fixed_number_of_queries(client, project, version,
                                                          django_assert_max_num_queries):
    lead = lead_of(project)
    for item in _items(version, 1) + _items(version, 2):
        services.judgement_record(member=lead, item=item, verdict=CONFORMS, reason="有",
                                  now=NOW)
    client.force_login(lead.reviewer)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reviews:final_module", args=[project.pk, 1])).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("reviews:checklist", args=[project.pk])).status_code == 200


# --------------------------------------------------------------------------- on-site review


@pytest.mark.django_db
def test_the_lead_starts_on_site_review_once_and_the_team_and_organisation_are_told(
        client, project, user_factory, mailoutbox, django_capture_on_commit_callbacks):
    contact = user_factory(email="contact@centre.example")
    OrganisationMember.objects.create(organisation=project.organisation, user=contact,
                                      role=MemberRole.ADMIN)
    lead = lead_of(project)
    member = next(m for m in team(project) if m.role != TeamRole.LEAD)
    client.force_login(member.reviewer)
    page = client.get(reverse("reviews:project", args=[project.pk])).content.decode()
    assert 'data-testid="onsite-start"' not in page
    client.post(reverse("reviews:onsite_start", args=[project.pk]))
    project.refresh_from_db()
    assert project.state == ProjectState.DOCUMENT_REVIEW  # only the lead moves it

    client.force_login(lead.reviewer)
    page = client.get(reverse("reviews:project", args=[project.pk])).content.decode()
    assert 'data-testid="onsite-start"' in page
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:onsite_start", args=[project.pk]))
    project.refresh_from_db()
    assert project.state == ProjectState.ONSITE_REVIEW
    assert AuditEntry.objects.filter(action="reviews.project.onsite_started",
                                     actor=lead.reviewer).count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [m.reviewer.email for m in team(project)] + [contact.email])
    page = client.get(reverse("reviews:project", args=[project.pk])).content.decode()
    assert 'data-testid="onsite-start"' not in page
    with pytest.raises(services.ReviewError):
        services.project_onsite_start(member=lead, now=NOW)
    # Judging goes on on site.
    item = StandardItem.objects.filter(module__in=StandardModulePage.objects.child_of(
        project.standard_version)).first()
    services.judgement_record(member=member, item=item, verdict=CONFORMS, reason="现场查看",
                              now=NOW)


@pytest.mark.django_db
def test_the_api_starts_on_site_review_for_the_lead_only(project):
    lead = lead_of(project)
    member = next(m for m in team(project) if m.role != TeamRole.LEAD)
    url = f"/api/v1/reviews/projects/{project.pk}/onsite/start"
    app = Client()
    assert app.post(url, **app_headers(app, member.reviewer)).status_code == 404  # as consolidate
    lead_headers = app_headers(app, lead.reviewer)
    response = app.post(url, **lead_headers)
    assert response.status_code == 200 and response.json()["state"] == "onsite_review"
    assert app.post(url, **lead_headers).status_code == 400
