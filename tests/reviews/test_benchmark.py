"""KPI benchmarking by industry: the quartiles on known data (hand-computed), the pooled value
of an organisation's latest decided project's latest 12 months, the suppression of a cell under
5 organisations in the page, the API and the export, the consent rule, an organisation's own
position, and who may see what."""

from __future__ import annotations

import datetime as dt
import io
import json
import statistics
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.models import AuditEntry
from reviews import selectors, services
from reviews.benchmark import Quartiles, against_median, band, quantile, quartiles
from reviews.errors import ReviewError
from reviews.models import MemberRole, OrganisationMember, ProjectState

from .benchmarking import reviewed
from .conftest import NOW

pytestmark = pytest.mark.django_db

API = "/api/v1/reviews"
D = Decimal


def _cell(kpi: str, industry: str) -> selectors.BenchmarkCell | None:
    for entry in selectors.benchmark():
        if entry.kpi == kpi:
            return next((c for c in entry.cells if c.industry == industry), None)
    raise AssertionError(kpi)


# --- The arithmetic
def test_quartiles_of_five_values_are_the_middle_ranks():
    assert quartiles([D(5), D(1), D(4), D(2), D(3)]) == Quartiles(D(2), D(3), D(4))


def test_quartiles_interpolate_linearly_between_ranks_by_hand():
    # Four values: positions (n-1)p = 0.75, 1.5, 2.25.
    # P25 = 10 + 0.75·10 = 17.5; median = 20 + 0.5·10 = 25; P75 = 30 + 0.25·10 = 32.5.
    assert quartiles([D(40), D(10), D(30), D(20)]) == Quartiles(D("17.5"), D(25), D("32.5"))
    # Six values: positions 1.25, 2.5, 3.75.
    # P25 = 82 + 0.25·3.25 = 82.8125; median = (85.25 + 90)/2 = 87.625; P75 = 90 + 0.75·1.
    values = [D("95"), D("80.5"), D("90"), D("82"), D("91"), D("85.25")]
    assert quartiles(values) == Quartiles(D("82.8125"), D("87.625"), D("90.75"))
    # The documented method is statistics.quantiles(method="inclusive"), exactly.
    assert list(quartiles(values).__dict__.values()) == statistics.quantiles(
        values, n=4, method="inclusive")
    assert quantile([D(7)], D("0.5")) == D(7)


def test_a_value_on_a_quartile_falls_on_its_better_side_whichever_the_direction():
    q = Quartiles(D(10), D(20), D(30))
    assert band(D(30), q, higher_is_better=True) == "top"
    assert band(D(25), q, higher_is_better=True) == "second"
    assert band(D(10), q, higher_is_better=True) == "third"
    assert band(D(9), q, higher_is_better=True) == "bottom"
    assert band(D(10), q, higher_is_better=False) == "top"
    assert band(D(31), q, higher_is_better=False) == "bottom"
    assert against_median(D(15), q, higher_is_better=False) == "better"
    assert against_median(D(15), q, higher_is_better=True) == "worse"
    assert against_median(D(20), q, higher_is_better=True) == "same"


# --- What counts
def test_an_organisation_counts_once_with_its_latest_decided_projects_latest_12_months(
        standard_version):
    for n, value in enumerate(["80", "82", "84", "86"]):
        reviewed(standard_version, name=f"银行{n}", industry="banking", value=value)
    latest = reviewed(standard_version, name="改进银行", industry="banking", value="60",
                      decided_at=NOW - dt.timedelta(days=400))
    organisation = latest.organisation
    # Its later decision: 14 months, the 2 oldest (at 0 %) outside the latest 12; pooled
    # Σanswered ÷ Σoffered: (90 + 9·11)/(100 + 10·11) = 189/210 = 90 % (the mean of the
    # monthly shares, 90 %, agrees here), not the earlier project's 60 %.
    reviewed(standard_version, name="", industry="banking", organisation=organisation,
             decided_at=NOW, counts=[(0, 50), (0, 50), (90, 100)] + [(9, 10)] * 11)
    # A newer project not yet decided does not count.
    reviewed(standard_version, name="", industry="banking", organisation=organisation,
             state=ProjectState.DOCUMENT_REVIEW, value="10")
    cell = _cell("answer_rate", "banking")
    assert cell is not None and cell.n == 5
    assert sorted(c.value for c in cell.contributions) == [D(80), D(82), D(84), D(86), D(90)]
    assert cell.quartiles == Quartiles(D(82), D(84), D(86))


def test_months_are_pooled_by_their_counts_not_averaged(standard_version):
    for n in range(4):
        reviewed(standard_version, name=f"运营商{n}", industry="telecom", value="50")
    # 90 of 100 in one month and 1 of 10 in eleven: 101/210 = 48.0952 %, where the mean of
    # the monthly shares would be (90 + 11·10)/12 = 16.67 %.
    reviewed(standard_version, name="小运营商", industry="telecom",
             counts=[(90, 100)] + [(1, 10)] * 11)
    cell = _cell("answer_rate", "telecom")
    assert cell is not None
    assert min(c.value for c in cell.contributions) == D("48.0952")


# --- Suppression
def _four_and_five(version):  # type: ignore[no-untyped-def]
    for n, value in enumerate(["70", "75", "80", "85"]):
        reviewed(version, name=f"保险{n}", industry="insurance", value=value)
    for n, value in enumerate(["60", "65", "70", "75", "99.5"]):
        reviewed(version, name=f"政务{n}（可具名）" if n == 4 else f"政务{n}",
                 industry="government_hotline", value=value, named=n == 4)


def test_a_cell_of_4_organisations_is_never_shown_and_one_of_5_is(
        client, user_factory, standard_version):
    _four_and_five(standard_version)
    assert _cell("answer_rate", "insurance") is None
    shown = _cell("answer_rate", "government_hotline")
    assert shown is not None and shown.n == 5 and shown.quartiles.median == D(70)

    committee = user_factory(roles=["expert_committee"])
    client.force_login(committee)
    page = client.get("/reviews/benchmark/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="cell-answer_rate-government_hotline"' in html
    assert 'data-testid="cell-answer_rate-insurance"' not in html
    section = html.split('data-testid="kpi-answer_rate"')[1].split("</section>")[0]
    figures, hidden = section.split('data-testid="hidden-answer_rate"')
    assert "保险" not in figures and "70.00" not in figures.split("政务热线")[0]
    assert "保险" in hidden  # named among the industries not shown, with no figure

    api = client.get(f"{API}/staff/benchmark").json()
    answer = next(k for k in api if k["kpi"] == "answer_rate")
    assert [c["industry"] for c in answer["cells"]] == ["government_hotline"]
    assert answer["cells"][0]["n"] == 5 and answer["cells"][0]["median"] == "70.00"
    assert "insurance" not in json.dumps(answer["cells"])

    export = client.get("/reviews/benchmark/export/")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    industries = [row[3] for row in rows[1:]]
    assert len(industries) == 1 and industries[0] in ("政务热线", "Government hotlines")
    assert rows[1][4] == 5


def test_the_fifth_organisation_shows_the_cell_and_removing_one_hides_it_again(
        standard_version):
    projects = [reviewed(standard_version, name=f"旅游{n}", industry="tourism", value=70 + n)
                for n in range(5)]
    assert _cell("answer_rate", "tourism") is not None
    projects[0].state = ProjectState.ONSITE_REVIEW
    projects[0].save()
    assert _cell("answer_rate", "tourism") is None


# --- Consent
def test_an_organisation_is_named_only_with_its_consent(client, user_factory, standard_version):
    _four_and_five(standard_version)
    cell = _cell("answer_rate", "government_hotline")
    assert cell is not None
    assert [c.name for c in cell.contributions] == ["政务4（可具名）", None, None, None, None]
    client.force_login(user_factory(roles=["certification_admin"]))
    html = client.get("/reviews/benchmark/").content.decode()
    assert "政务4（可具名）" in html
    assert "政务0" not in html and "政务1" not in html
    api = client.get(f"{API}/staff/benchmark").json()
    names = [c["name"] for k in api for cell in k["cells"] for c in cell["contributions"]]
    assert names == ["政务4（可具名）", None, None, None, None]
    rows = list(load_workbook(io.BytesIO(client.get("/reviews/benchmark/export/").content))
                .active.iter_rows(values_only=True))
    assert rows[1][8] == "政务4（可具名）"
    assert "政务0" not in json.dumps([list(map(str, r)) for r in rows], ensure_ascii=False)


def test_only_the_organisations_admin_gives_or_withdraws_consent_and_it_is_audited(
        client, applicant, user_factory):
    colleague = user_factory()
    OrganisationMember.objects.create(organisation=applicant.organisation, user=colleague,
                                      role=MemberRole.MEMBER)
    with pytest.raises(ReviewError):
        services.benchmark_consent_set(organisation=applicant.organisation, by=colleague,
                                       named=True)
    client.force_login(colleague)
    refused = client.put(f"{API}/organisations/{applicant.organisation.pk}/benchmark/consent",
                         data=json.dumps({"named": True}), content_type="application/json")
    assert refused.status_code == 403
    client.force_login(applicant.admin)
    page = client.get(f"/reviews/organisations/{applicant.organisation.pk}/")
    assert 'data-testid="benchmark-named"' in page.content.decode()
    response = client.post(
        f"/reviews/organisations/{applicant.organisation.pk}/benchmark/consent/",
        {"named": "on"})
    assert response.status_code == 302
    applicant.organisation.review_profile.refresh_from_db()
    assert applicant.organisation.review_profile.benchmark_named is True
    withdrawn = client.put(
        f"{API}/organisations/{applicant.organisation.pk}/benchmark/consent",
        data=json.dumps({"named": False}), content_type="application/json")
    assert withdrawn.status_code == 200 and withdrawn.json()["named"] is False
    assert list(AuditEntry.objects.filter(action="reviews.organisation.benchmark_consent")
                .values_list("data__named", flat=True).order_by("pk")) == [True, False]


# --- Own position
def test_members_see_their_organisations_position_by_the_kpis_direction(
        client, applicant, user_factory, standard_version):
    for n, seconds in enumerate([20, 30, 40, 50]):
        reviewed(standard_version, name=f"银行{n}", industry="banking", kpi="asa",
                 counts=[(seconds * 1000, 1000)] * 12)
    own = reviewed(standard_version, name="", industry="banking", kpi="asa",
                   organisation=applicant.organisation, counts=[(25_000, 1000)] * 12)
    # Five banks: 20, 25, 30, 40, 50 s → P25 25, median 30, P75 40. Ours, 25 s, is at P25 of a
    # lower-is-better KPI: the best quarter, better than the median.
    client.force_login(applicant.admin)
    page = client.get(f"/reviews/organisations/{applicant.organisation.pk}/benchmark/")
    assert page.status_code == 200
    row = page.content.decode().split('data-testid="position-asa"')[1].split("</tr>")[0]
    assert "25.00" in row and "30.00" in row and "40.00" in row
    assert "<svg" in page.content.decode() and 'data-own="1"' in page.content.decode()
    api = client.get(f"{API}/organisations/{applicant.organisation.pk}/benchmark").json()
    asa = next(k for k in api["kpis"] if k["kpi"] == "asa")
    assert (asa["value"], asa["median"], asa["band"], asa["against_median"]) == (
        "25.00", "30.00", "top", "better")
    assert api["reviewed"] is True and api["project_id"] == own.pk
    # A KPI whose cell is not shown: its own value only, never the others' figures.
    answer = next(k for k in api["kpis"] if k["kpi"] == "answer_rate")
    assert answer["compared"] is False and answer["median"] is None

    stranger = user_factory()
    client.force_login(stranger)
    assert client.get(
        f"/reviews/organisations/{applicant.organisation.pk}/benchmark/").status_code == 404
    assert client.get(
        f"{API}/organisations/{applicant.organisation.pk}/benchmark").status_code == 404


def test_before_its_review_is_decided_an_organisation_sees_its_reported_data_marked(
        client, applicant, standard_version):
    for n in range(5):
        reviewed(standard_version, name=f"银行{n}", industry="banking", value=80 + n)
    reviewed(standard_version, name="", industry="banking", value="90",
             organisation=applicant.organisation, state=ProjectState.ACCEPTED)
    client.force_login(applicant.admin)
    page = client.get(f"/reviews/organisations/{applicant.organisation.pk}/benchmark/")
    assert 'data-testid="not-reviewed"' in page.content.decode()
    api = client.get(f"{API}/organisations/{applicant.organisation.pk}/benchmark").json()
    answer = next(k for k in api["kpis"] if k["kpi"] == "answer_rate")
    assert api["reviewed"] is False and answer["band"] == "top" and answer["value"] == "90.00"
    cell = _cell("answer_rate", "banking")
    assert cell is not None and cell.n == 5  # not counted until decided


# --- Who sees the whole benchmark
@pytest.mark.parametrize("roles, status", [([], 403), (["trainee"], 403),
                                           (["expert_committee"], 200),
                                           (["certification_admin"], 200)])
def test_the_whole_benchmark_is_for_the_committee_and_certification_admins(
        client, user_factory, roles, status):
    client.force_login(user_factory(roles=roles))
    assert client.get("/reviews/benchmark/").status_code == status
    assert client.get("/reviews/benchmark/export/").status_code == status
    assert client.get(f"{API}/staff/benchmark").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/reviews/benchmark/").status_code == 302
    assert client.get(f"{API}/staff/benchmark").status_code == 401


def test_the_benchmark_is_read_in_a_fixed_number_of_queries(
        standard_version, django_assert_max_num_queries):
    for n in range(12):
        reviewed(standard_version, name=f"机构{n}", industry="banking" if n % 2 else "telecom",
                 value=70 + n)
    with django_assert_max_num_queries(3):
        selectors.benchmark()
