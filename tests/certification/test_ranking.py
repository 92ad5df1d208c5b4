"""The ranking rule on known data, the staff list with its components, and the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from certification import selectors, services
from certification.models import RankingWeights

from .conftest import position, review

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def candidates(coordinator_factory):
    """A: exam 90, 10.90 years, centre manager, no reviews.
    B: exam 80, 6 years, director, 5 reviews.
    C: exam 90, 5 years (an overlapping second job counts once), director, 10 reviews."""
    a = coordinator_factory(score="90.00", name_zh="甲")
    b = coordinator_factory(score="80.00", name_zh="乙")
    c = coordinator_factory(score="90.00", name_zh="丙")
    services.reviewer_application_submit(
        applicant=a, attested=True, reviews=[],
        positions=[position("甲公司", start=dt.date(2016, 1, 1), level=3)])
    services.reviewer_application_submit(
        applicant=b, attested=True, reviews=[review(year=2020 + i) for i in range(5)],
        positions=[position("乙公司", start=dt.date(2020, 11, 24), level=4)])
    services.reviewer_application_submit(
        applicant=c, attested=True, reviews=[review(year=2015 + i) for i in range(10)],
        positions=[position("丙公司", start=dt.date(2021, 11, 24), level=2),
                   position("丙二公司", start=dt.date(2022, 1, 1), end=dt.date(2023, 1, 1),
                            level=4)])
    return a, b, c


def _rank(weights=None):
    return selectors.reviewer_candidates_ranked(today=TODAY, weights=weights or RankingWeights())


def test_components_and_totals_on_known_data(candidates):
    a, b, c = candidates
    rows = {row.application.applicant: row for row in _rank()}

    assert (rows[a].exam_points, rows[a].years, rows[a].years_points,
            rows[a].management_points, rows[a].review_points, rows[a].total) == (
        Decimal("90.00"), Decimal("10.90"), Decimal("100.00"), Decimal("75.00"),
        Decimal("0.00"), Decimal("81.00"))
    assert (rows[b].exam_points, rows[b].years, rows[b].years_points,
            rows[b].management_points, rows[b].review_points, rows[b].total) == (
        Decimal("80.00"), Decimal("6.00"), Decimal("60.00"), Decimal("100.00"),
        Decimal("100.00"), Decimal("80.00"))
    assert (rows[c].years, rows[c].management_level, rows[c].review_count,
            rows[c].total) == (Decimal("5.00"), 4, 10, Decimal("81.00"))


def test_ties_are_broken_by_exam_score_then_years_then_submission(candidates,
                                                                  coordinator_factory):
    a, b, c = candidates
    # A and C both total 81.00 with exam 90: A has more years.
    assert [row.application.applicant for row in _rank()] == [a, c, b]
    assert [row.rank for row in _rank()] == [1, 2, 3]

    # Two identical candidates: the earlier application first.
    d = coordinator_factory(score="60.00", name_zh="丁")
    e = coordinator_factory(score="60.00", name_zh="戊")
    for person in (d, e):
        services.reviewer_application_submit(
            applicant=person, attested=True, reviews=[],
            positions=[position("丁公司", start=dt.date(2025, 1, 1), level=0)])
    assert [row.application.applicant for row in _rank()][-2:] == [d, e]


def test_weights_change_the_order(candidates):
    a, b, c = candidates
    only_reviews = RankingWeights(exam_weight=0, years_weight=0, management_weight=0,
                                  review_weight=1)
    ranked = _rank(only_reviews)
    # B and C both have full review points; C's higher exam score breaks the tie.
    assert [row.application.applicant for row in ranked] == [c, b, a]
    assert [row.total for row in ranked] == [Decimal("100.00"), Decimal("100.00"),
                                             Decimal("0.00")]


def test_admins_see_the_ranked_list_with_components_and_can_export(client, candidates,
                                                                   cert_admin, time_machine):
    # The pages rank as of the day they are opened: the day the data above were written for.
    time_machine.move_to(dt.datetime(2026, 11, 24, 10, tzinfo=dt.UTC), tick=False)
    client.force_login(cert_admin)
    html = client.get("/credentials/staff/candidates/").content.decode()
    assert html.index("甲") < html.index("丙") < html.index("乙")
    assert "81.00" in html and "75.00" in html and "10.90" in html

    response = client.get("/credentials/staff/candidates/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "排名"
    assert [r[1] for r in rows[1:4]] == ["甲", "丙", "乙"]
    assert rows[1][14] == 81  # total
    assert "reviewer-candidates-2026-11-24.xlsx" in response["Content-Disposition"]


def test_admins_change_the_weights_and_it_is_audited(client, cert_admin):
    from core.models import AuditEntry

    client.force_login(cert_admin)
    response = client.post("/credentials/staff/weights/", {
        "exam_weight": "50", "years_weight": "20", "management_weight": "20",
        "review_weight": "10", "years_cap": "8", "reviews_cap": "4"})
    assert response.status_code == 302
    weights = selectors.ranking_weights()
    assert (weights.exam_weight, weights.years_cap) == (Decimal("50"), 8)
    assert AuditEntry.objects.filter(action="certification.ranking_weights.updated",
                                     actor=cert_admin).exists()


def test_people_without_the_permission_cannot_see_or_export_the_ranking(client, candidates,
                                                                        user_factory):
    a, _b, _c = candidates
    for person in (a, user_factory(roles=["exam_admin"], is_staff=True)):
        client.force_login(person)
        assert client.get("/credentials/staff/candidates/").status_code == 403
        assert client.get("/credentials/staff/candidates/export.xlsx").status_code == 403
        assert client.post("/credentials/staff/weights/", {"exam_weight": "0"}).status_code == 403
