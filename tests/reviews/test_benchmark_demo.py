"""The demo's benchmark (16 sample organisations, 2 industries shown, insurance suppressed, the
demo applicant's own position) and fee statement, loaded twice with the same result."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from accounts.models import User
from reviews import selectors
from reviews.demo_benchmark import SAMPLE_ORGANISATIONS
from reviews.models import KpiMonth, ReviewerFee

from .conftest import NOW


def test_the_demo_benchmark_shows_two_industries_suppresses_one_and_has_a_fee_statement(
        db, client, time_machine):
    time_machine.move_to(NOW)  # the fees end "today": the current month's statement has them
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "/reviews/benchmark/" in out.getvalue()
    assert all(name.endswith("（示例）") for name, _i, _n in SAMPLE_ORGANISATIONS)
    first = {kpi.kpi: [(c.industry, c.n, c.quartiles) for c in kpi.cells]
             for kpi in selectors.benchmark()}
    assert first["answer_rate"][0][:2] == ("telecom", 6)
    assert first["answer_rate"][1][:2] == ("banking", 7)
    assert all(len(cells) == 2 for cells in first.values())  # insurance (3) never shown
    months, fees = KpiMonth.objects.count(), ReviewerFee.objects.count()
    assert fees >= 3

    call_command("load_demo", stdout=StringIO())
    assert {kpi.kpi: [(c.industry, c.n, c.quartiles) for c in kpi.cells]
            for kpi in selectors.benchmark()} == first
    assert (KpiMonth.objects.count(), ReviewerFee.objects.count()) == (months, fees)

    applicant = User.objects.get(email="applicant@demo.ccso")
    organisation = applicant.organisation_memberships.get().organisation
    position = selectors.organisation_benchmark_position(organisation)
    assert position.industry == "banking" and not position.reviewed
    assert all(k.value is not None and k.band for k in position.kpis)
    client.force_login(applicant)
    assert client.get(f"/reviews/organisations/{organisation.pk}/benchmark/").status_code == 200
    fee = ReviewerFee.objects.select_related("member__reviewer").first()
    assert fee is not None
    reviewer = fee.member.reviewer
    client.force_login(reviewer)
    assert "fee-line" in client.get("/reviews/fees/").content.decode()
