"""`make run`'s spot-check demo: sample decided reviews, one completed spot-check with a
finding, and decided reviews left undrawn, so that committee@demo.ccso draws a spot-check,
re-judges an item, records a finding and suspends a sample reviewer; verification then says
suspended. Loading twice changes nothing."""

from __future__ import annotations

from io import StringIO

from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from certification.models import CredentialStatus
from reviews import selectors, services
from reviews.models import Finding, SpotCheck, SpotCheckState, Verdict


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _review_rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count()
            for model in apps.get_app_config("reviews").get_models()}


def test_the_committee_walk_on_the_demo(db, client):
    printed = _load()
    rows = _review_rows()
    _load()
    assert _review_rows() == rows
    assert "/reviews/staff/spotchecks/" in printed

    completed = SpotCheck.objects.get()
    assert completed.state == SpotCheckState.COMPLETED
    assert Finding.objects.filter(judgement__review__spot_check=completed).exists()
    assert services.spotcheck_verify(completed).matches

    committee = User.objects.get(email="committee@demo.ccso")
    wu = User.objects.get(email="reviewer.wu@demo.ccso")
    pool, _excluded = selectors.spotcheck_pool(committee)
    assert len(pool) >= 2
    spot_check = services.spotcheck_draw(by=committee)
    review = spot_check.reviews.get()
    assert {m.reviewer.email for m in review.project.members.select_related("reviewer")} == {
        "reviewer.wu@demo.ccso", "reviewer.zheng@demo.ccso"}
    passed = next(row.item.pk for row in selectors.spotcheck_sample(review)
                  if row.final.verdict == Verdict.CONFORMS)
    check = services.spotcheck_item_judge(review=review, item_id=passed,
                                          by=committee, verdict=Verdict.NOT_CONFORMS,
                                          reason="证据不足")
    assert wu in check.finding.reviewers.all()
    services.sanction_impose(reviewer=wu, action="suspend", reason="判断偏松",
                             finding_ids=[check.finding.pk], by=committee)
    credential = selectors.reviewer_credential(wu)
    assert credential is not None and credential.status == CredentialStatus.SUSPENDED
    assert "已暂停" in client.get(credential.verification_path()).content.decode()
    # The demo reviewer's walk-through is untouched.
    demo_reviewer = User.objects.get(email="reviewer@demo.ccso")
    assert selectors.reviewer_credential(demo_reviewer).status == CredentialStatus.ACTIVE
