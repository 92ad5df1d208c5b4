"""The expert committee's spot-check: the sample sizes, the reproducible draw (same seed, same
selection; another seed, another), the committee member's own reviews left out, findings on
disagreement and the agreement rate with its n on known data."""

from __future__ import annotations

from fractions import Fraction

import pytest

from core.models import AuditEntry
from reviews import selectors, services
from reviews.models import Finding, SpotCheck, SpotCheckState
from reviews.spotcheck import Agreement, items_select, reviews_select, sample_size

from .conftest import NOW, make_reviewer
from .spotcheck_data import C, N, decided_review, version_items_of
from .team import version_make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("n", "percent", "minimum", "size"), [
    (0, 20, 1, 0),     # nothing to draw
    (1, 20, 1, 1),
    (4, 20, 1, 1),     # 0.8 → 1 (at least one)
    (5, 20, 1, 1),
    (6, 20, 1, 2),     # 1.2 rounds up
    (10, 20, 1, 2),
    (11, 20, 1, 3),
    (1, 10, 2, 1),     # capped at the module's items
    (2, 10, 2, 2),
    (19, 10, 2, 2),
    (20, 10, 2, 2),
    (21, 10, 2, 3),
    (30, 10, 2, 3),
    (35, 10, 2, 4),
])
def test_sample_sizes(n, percent, minimum, size):
    assert sample_size(n, percent=percent, minimum=minimum) == size


def test_the_selection_is_a_function_of_the_pool_and_the_seed():
    pool = list(range(100, 130))
    seed, other = "ab" * 32, "cd" * 32
    first = reviews_select(pool=pool, seed=seed, percent=20, minimum=1)
    assert len(first) == 6 and set(first) <= set(pool)
    # The same seed gives the same reviews whatever the pool's order; another seed, others.
    assert reviews_select(pool=list(reversed(pool)), seed=seed, percent=20, minimum=1) == first
    assert reviews_select(pool=pool, seed=other, percent=20, minimum=1) != first
    modules = {"1": list(range(1, 26)), "2": [40, 41, 42], "3": [50]}
    sample = items_select(project_id=7, modules=modules, seed=seed, percent=10, minimum=2)
    assert {k: len(v) for k, v in sample.items()} == {"1": 3, "2": 2, "3": 1}
    assert all(set(sample[k]) <= set(modules[k]) for k in modules)
    assert items_select(project_id=7, modules=modules, seed=seed, percent=10, minimum=2) == sample
    # Each review's items have their own order under the same seed.
    assert (items_select(project_id=8, modules=modules, seed=seed, percent=10, minimum=2)["1"]
            != sample["1"])


@pytest.fixture
def committee(user_factory):
    return user_factory(roles=["expert_committee"], is_staff=True, name_zh="孙专家")


@pytest.fixture
def version(home_page):
    return version_make(modules=[1, 2], items=25)


def test_the_draw_freezes_the_pool_stores_its_seed_and_verifies(version, committee):
    lead = make_reviewer(name_zh="王组长")
    projects = [decided_review(version=version, lead=lead) for _ in range(10)]
    # A review the committee member served on is left out of their pool (conflict).
    served = decided_review(version=version, lead=committee)
    spot_check = services.spotcheck_draw(by=committee, now=NOW)
    assert spot_check.pool == sorted(p.pk for p in projects)
    assert spot_check.exclusions == {str(served.pk): ["conflict"]}
    assert len(spot_check.seed) == 64
    assert len(spot_check.selected) == 2  # 20 % of 10
    reviews = list(spot_check.reviews.all())
    assert sorted(r.project_id for r in reviews) == sorted(spot_check.selected)
    for review in reviews:
        # 25 items a module → 10 % rounded up = 3 per module, from that module.
        assert {k: len(v) for k, v in review.sample.items()} == {"1": 3, "2": 3}
        for number, items in review.sample.items():
            assert set(items) <= set(review.modules[number])
    check = services.spotcheck_verify(spot_check)
    assert check.matches and check.selected == spot_check.selected
    entry = AuditEntry.objects.get(action="reviews.spotcheck.drawn")
    assert entry.actor == committee and entry.data["seed"] == spot_check.seed

    drawn = list(spot_check.selected)
    # A stored selection that was changed no longer verifies.
    SpotCheck.objects.filter(pk=spot_check.pk).update(
        selected=[p for p in spot_check.pool if p not in spot_check.selected][:2])
    spot_check.refresh_from_db()
    assert not services.spotcheck_verify(spot_check).matches

    # Reviews already drawn are left out of the next draw.
    second = services.spotcheck_draw(by=committee, now=NOW)
    assert not set(second.pool) & set(drawn)


def test_nothing_to_draw_is_refused(version, committee):
    with pytest.raises(services.ReviewError):
        services.spotcheck_draw(by=committee, now=NOW)
    decided_review(version=version, lead=committee)  # only one they served on
    with pytest.raises(services.ReviewError):
        services.spotcheck_draw(by=committee, now=NOW)


def test_a_reviewer_cannot_draw(version):
    lead = make_reviewer()
    decided_review(version=version, lead=lead)
    with pytest.raises(services.ReviewError):
        services.spotcheck_draw(by=lead, now=NOW)


def _drawn(version, committee, **review):
    project = decided_review(version=version, **review)
    spot_check = services.spotcheck_draw(by=committee, now=NOW)
    return spot_check, spot_check.reviews.get(project=project)


def test_findings_name_the_reviewers_whose_verdict_differs(version, committee):
    lead, member, other = (make_reviewer(name_zh=n) for n in ("王组长", "李评审", "张评审"))
    project = decided_review(version=version, lead=lead, members=[member, other])
    spot_check = services.spotcheck_draw(by=committee, now=NOW)
    review = spot_check.reviews.get(project=project)
    first, second, third = review.sample_ids[:3]
    from reviews.models import Judgement, TeamMember

    places = {m.reviewer_id: m for m in TeamMember.objects.filter(project=project)}
    Judgement.objects.create(member=places[member.pk], item_id=first, verdict=C, reason="符合",
                             recorded_at=NOW)
    Judgement.objects.create(member=places[other.pk], item_id=first, verdict=N, reason="不符合",
                             recorded_at=NOW)
    Judgement.objects.create(member=places[other.pk], item_id=second, verdict=N,
                             reason="不符合", recorded_at=NOW)

    # 1. Not conforming, where the team's final judgement (the lead's) said conforms: a finding
    # naming the lead and the member who agreed with them, not the one who said so too.
    services.spotcheck_item_judge(review=review, item_id=first, by=committee, verdict=N,
                                  reason="未见审批记录", now=NOW)
    finding = Finding.objects.get(judgement__item_id=first)
    assert finding.disagrees_with_final and finding.final_verdict == C
    assert set(finding.reviewers.all()) == {lead, member}
    assert finding.reason == "未见审批记录"
    # 2. Agreeing with the final judgement but not with a reviewer's own: a finding naming
    # that reviewer alone.
    services.spotcheck_item_judge(review=review, item_id=second, by=committee, verdict=C,
                                  reason="记录齐全", now=NOW)
    finding = Finding.objects.get(judgement__item_id=second)
    assert not finding.disagrees_with_final
    assert list(finding.reviewers.all()) == [other]
    # 3. Agreeing with everyone: no finding; changing one's mind changes the finding.
    services.spotcheck_item_judge(review=review, item_id=third, by=committee, verdict=C,
                                  reason="记录齐全", now=NOW)
    assert not Finding.objects.filter(judgement__item_id=third).exists()
    services.spotcheck_item_judge(review=review, item_id=first, by=committee, verdict=C,
                                  reason="复核后认可", now=NOW)
    finding = Finding.objects.get(judgement__item_id=first)
    assert not finding.disagrees_with_final and list(finding.reviewers.all()) == [other]
    assert AuditEntry.objects.filter(action="reviews.spotcheck.judged").count() == 4

    # Agreement on known data: the lead judged all three (their final judgement), agreed 3;
    # the member judged one, agreed 1; the other judged two, agreed 0.
    totals = selectors.agreement_totals([lead.pk, member.pk, other.pk])
    assert totals[lead.pk] == Agreement(3, 3)
    assert totals[member.pk] == Agreement(1, 1)
    assert totals[other.pk] == Agreement(2, 0) and totals[other.pk].rate == Fraction(0)
    rows = selectors.agreement_rates(reviewer_ids=[other.pk], by="quarter")
    assert [(r.period, r.agreement) for r in rows] == [("2026-Q4", Agreement(2, 0))]
    rows = selectors.agreement_rates(reviewer_ids=[lead.pk], by="spotcheck")
    assert [(r.period, r.agreement) for r in rows] == [(str(spot_check.pk), Agreement(3, 3))]


def test_agreement_rate_is_exact_with_its_n(version, committee):
    lead = make_reviewer()
    _spot_check, review = _drawn(version, committee, lead=lead)
    verdicts = [C, N, C, C, N, C]  # the final judgements all conform: 4 of 6 agree
    for item_id, verdict in zip(review.sample_ids, verdicts, strict=True):
        services.spotcheck_item_judge(review=review, item_id=item_id, by=committee,
                                      verdict=verdict, reason="复核", now=NOW)
    agreement = selectors.agreement_totals([lead.pk])[lead.pk]
    assert (agreement.checked, agreement.agreed, agreement.rate) == (6, 4, Fraction(2, 3))
    assert agreement.percent == "66.7%"
    assert Finding.objects.filter(reviewers=lead).count() == 2


def test_only_the_drawing_member_rejudges_sampled_items_and_completes(
        version, committee, user_factory, mailoutbox, django_capture_on_commit_callbacks):
    lead = make_reviewer(name_zh="王组长")
    spot_check, review = _drawn(version, committee, lead=lead)
    colleague = user_factory(roles=["expert_committee"], is_staff=True)
    item_id = review.sample_ids[0]
    with pytest.raises(services.ReviewError):
        services.spotcheck_item_judge(review=review, item_id=item_id, by=colleague, verdict=N,
                                      reason="x", now=NOW)
    not_sampled = next(i.pk for i in version_items_of(version) if i.pk not in review.sample_ids)
    with pytest.raises(services.ReviewError):
        services.spotcheck_item_judge(review=review, item_id=not_sampled, by=committee,
                                      verdict=N, reason="x", now=NOW)
    with pytest.raises(services.ReviewError):
        services.spotcheck_item_judge(review=review, item_id=item_id, by=committee, verdict=N,
                                      reason="  ", now=NOW)
    services.spotcheck_item_judge(review=review, item_id=item_id, by=committee, verdict=N,
                                  reason="证据不足", now=NOW)
    with pytest.raises(services.ReviewError, match="1 / 6"):
        services.spotcheck_complete(spot_check=spot_check, by=committee, outcome="完成")
    for other in review.sample_ids[1:]:
        services.spotcheck_item_judge(review=review, item_id=other, by=committee, verdict=C,
                                      reason="符合", now=NOW)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.spotcheck_complete(spot_check=spot_check, by=committee,
                                    outcome="一项不一致，已记录", now=NOW)
    spot_check.refresh_from_db()
    assert spot_check.state == SpotCheckState.COMPLETED and spot_check.completed_at == NOW
    assert spot_check.outcome == "一项不一致，已记录"
    assert [m.to for m in mailoutbox] == [[lead.email]]
    entry = AuditEntry.objects.get(action="reviews.spotcheck.completed")
    assert entry.data["items"] == 6 and len(entry.data["findings"]) == 1
    with pytest.raises(services.ReviewError):
        services.spotcheck_item_judge(review=review, item_id=item_id, by=committee, verdict=C,
                                      reason="改判", now=NOW)
