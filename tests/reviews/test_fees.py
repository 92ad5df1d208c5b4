"""Reviewers' fees: days × the daily fee in Decimal, the fee kept on the record when the
setting changes, audited corrections, the statement of a period (one reviewer or all), its
xlsx (totals; a name or note that looks like a formula stays text), who may see and record
what, and the API's parity with the pages."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.models import AuditEntry
from reviews import selectors, services
from reviews.errors import ReviewError
from reviews.models import MemberState, ProjectState, ReviewerFee

from .conftest import NOW, make_reviewer, team_make

pytestmark = pytest.mark.django_db

API = "/api/v1/reviews"
D = Decimal
MAY = dt.date(2026, 5, 20)


@pytest.fixture
def team(project_factory, organisation_factory, cert_admin, settings):  # type: ignore[no-untyped-def]
    """A decided project whose team is a lead and a member; the daily fee 2,000 CNY."""
    settings.REVIEWS_DAILY_FEE = "2000"
    project = project_factory(organisation=organisation_factory(name="示例受评审中心"),
                              state=ProjectState.CERTIFIED)
    lead = make_reviewer(employer=organisation_factory(), name_zh="王组长")
    member = make_reviewer(employer=organisation_factory(), name_zh="=HYPERLINK(\"x\")李")
    team_make(project, lead=lead, members=[member])
    places = {m.reviewer_id: m for m in project.members.all()}
    return type("Team", (), {"project": project, "lead": places[lead.pk],
                             "member": places[member.pk], "admin": cert_admin})


def _record(team, place, **values):  # type: ignore[no-untyped-def]
    values = {"work_ended_on": MAY, "document_days": D("2.5"), "onsite_days": D("1.5"),
              "travel_amount": D("1234.56"), "travel_note": "北京—成都 往返机票", **values}
    return services.fee_record(member=place, by=team.admin, now=NOW, **values)


def test_days_times_the_daily_fee_plus_travel_in_exact_decimals(team):
    fee = _record(team, team.lead)
    line = selectors.FeeLine(fee)
    assert fee.daily_fee == D("2000.00")
    assert line.days == D("4.0") and line.labour == D("8000.00")
    assert line.total == D("9234.56") and isinstance(line.total, Decimal)
    fee = _record(team, team.member, document_days=D("0.5"), onsite_days=D("0"),
                  travel_amount=D("0.10"), travel_note="市内交通")
    assert selectors.FeeLine(fee).total == D("1000.10")


def test_the_fee_recorded_survives_a_change_of_the_setting(team, settings):
    first = _record(team, team.lead)
    settings.REVIEWS_DAILY_FEE = "2500.50"
    corrected = _record(team, team.lead, onsite_days=D("2"))
    assert corrected.pk == first.pk and corrected.daily_fee == D("2000.00")
    assert selectors.FeeLine(corrected).labour == D("9000.00")
    later = _record(team, team.member)
    assert later.daily_fee == D("2500.50")
    assert selectors.FeeLine(later).labour == D("10002.00")


def test_recording_and_correcting_are_audited_with_the_values_before_and_after(team):
    fee = _record(team, team.lead)
    _record(team, team.lead, travel_amount=D("1500.00"))
    _record(team, team.lead, travel_amount=D("1500.00"))  # nothing changed: no entry
    entries = list(AuditEntry.objects.filter(target_type="reviews.reviewerfee",
                                             target_id=str(fee.pk)).order_by("pk"))
    assert [e.action for e in entries] == ["reviews.fee.recorded", "reviews.fee.changed"]
    assert entries[0].actor == team.admin and entries[0].data["daily_fee"] == "2000.00"
    assert entries[1].data["before"]["travel_amount"] == "1234.56"
    assert entries[1].data["after"]["travel_amount"] == "1500.00"


@pytest.mark.parametrize("values, field", [
    ({"document_days": D("1.3")}, "document_days"),
    ({"onsite_days": D("-1")}, "onsite_days"),
    ({"onsite_days": D("61")}, "onsite_days"),
    ({"travel_amount": D("-5")}, "travel_amount"),
    ({"travel_note": "  "}, "travel_note"),
    ({"document_days": D(0), "onsite_days": D(0), "travel_amount": D(0)}, "document_days"),
])
def test_impossible_records_are_refused_on_their_field(team, values, field):
    with pytest.raises(ReviewError) as raised:
        _record(team, team.lead, **values)
    assert field in raised.value.message_dict
    assert not ReviewerFee.objects.exists()


def test_only_a_certification_admin_records_and_never_for_a_declined_place(team, user_factory):
    with pytest.raises(ReviewError):
        services.fee_record(member=team.lead, by=user_factory(), work_ended_on=MAY,
                            document_days=D(1), onsite_days=D(0))
    team.member.state = MemberState.DECLINED
    team.member.save()
    with pytest.raises(ReviewError):
        _record(team, team.member)


def test_a_statement_covers_the_work_ended_in_its_period(team):
    _record(team, team.lead)
    _record(team, team.member, work_ended_on=dt.date(2026, 6, 1), travel_amount=D(0),
            travel_note="")
    may = selectors.fee_statement(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31))
    assert [s.reviewer for s in may.reviewers] == [team.lead.reviewer]
    both = selectors.fee_statement(start=dt.date(2026, 5, 1), end=dt.date(2026, 6, 30))
    assert both.totals.total == D("9234.56") + D("8000.00")
    assert both.totals.travel == D("1234.56") and both.totals.onsite_days == D("3.0")
    mine = selectors.fee_statement(start=dt.date(2026, 5, 1), end=dt.date(2026, 6, 30),
                                   reviewer=team.member.reviewer)
    assert [line.fee.work_ended_on for line in mine.lines] == [dt.date(2026, 6, 1)]


def _sheet(content: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(content)).active


def test_the_xlsx_statement_has_the_totals_and_keeps_formula_looking_text_as_text(client, team):
    _record(team, team.lead)
    _record(team, team.member, travel_note="=HYPERLINK(\"http://evil.example\",\"报销\")",
            travel_amount=D("100.00"))
    client.force_login(team.admin)
    response = client.get("/reviews/staff/fees/export/?start=2026-05-01&end=2026-05-31")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = _sheet(response.content)
    rows = list(sheet.iter_rows(values_only=True))
    by_name = {row[0]: row for row in rows[1:]}
    member_row = next(row for name, row in by_name.items() if name.startswith("=HYPERLINK"))
    assert D(str(member_row[11])) == D("8100")  # 4 days × 2,000 + 100 travel
    assert rows[-1][0] in ("合计", "Total")
    assert D(str(rows[-1][11])) == D("17334.56")  # 9,234.56 + 8,100
    cells = [c for row in sheet.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(cells) == 2  # the member's name and the travel note
    assert all(c.data_type == "s" for c in cells)  # text, not formulas


def test_a_reviewer_sees_only_their_own_statement(client, team):
    _record(team, team.lead)
    _record(team, team.member, travel_note="仅组员可见的差旅说明")
    client.force_login(team.lead.reviewer)
    page = client.get("/reviews/fees/?start=2026-05-01&end=2026-05-31")
    html = page.content.decode()
    assert page.status_code == 200 and "¥9234.56" in html
    assert "仅组员可见的差旅说明" not in html and "HYPERLINK" not in html
    mine = client.get("/reviews/fees/export/?start=2026-05-01&end=2026-05-31")
    assert [r[0] for r in list(_sheet(mine.content).iter_rows(values_only=True))[1:-1]] == [
        team.lead.reviewer.display_name]
    api = client.get(f"{API}/fees/mine?start=2026-05-01&end=2026-05-31").json()
    assert [s["reviewer_id"] for s in api["reviewers"]] == [team.lead.reviewer.pk]
    assert api["totals"]["total"] == "9234.56"
    # Not the staff pages, nor the staff API.
    assert client.get("/reviews/staff/fees/").status_code == 403
    assert client.get("/reviews/staff/fees/export/").status_code == 403
    assert client.get(f"{API}/staff/fees").status_code == 403
    put = client.put(f"{API}/staff/fees/members/{team.lead.pk}",
                     data=json.dumps({"work_ended_on": "2026-05-20", "document_days": "9",
                                      "onsite_days": "0"}), content_type="application/json")
    assert put.status_code == 403
    assert ReviewerFee.objects.get(member=team.lead).document_days == D("2.5")


def test_the_admin_records_on_the_page_and_the_api_says_the_same(client, team):
    client.force_login(team.admin)
    page = client.get("/reviews/staff/fees/")
    assert page.status_code == 200 and f'data-testid="fee-record-{team.lead.pk}"' in \
        page.content.decode()
    posted = client.post(f"/reviews/staff/fees/members/{team.lead.pk}/", {
        "work_ended_on": "2026-05-20", "document_days": "2.5", "onsite_days": "1.5",
        "travel_amount": "1234.56", "travel_note": "往返机票"})
    assert posted.status_code == 302
    refused = client.post(f"/reviews/staff/fees/members/{team.member.pk}/", {
        "work_ended_on": "2026-05-20", "document_days": "1.25", "onsite_days": "0",
        "travel_amount": "0"})
    assert refused.status_code == 400
    put = client.put(f"{API}/staff/fees/members/{team.member.pk}",
                     data=json.dumps({"work_ended_on": "2026-05-21", "document_days": "1",
                                      "onsite_days": "2", "travel_amount": "0"}),
                     content_type="application/json")
    assert put.status_code == 200 and put.json()["total"] == "6000.00"
    bad = client.put(f"{API}/staff/fees/members/{team.member.pk}",
                     data=json.dumps({"work_ended_on": "2026-05-21", "document_days": "0.3",
                                      "onsite_days": "0"}), content_type="application/json")
    assert bad.status_code == 400
    api = client.get(f"{API}/staff/fees?start=2026-05-01&end=2026-05-31").json()
    assert api["totals"]["total"] == "15234.56"
    html = client.get("/reviews/staff/fees/?start=2026-05-01&end=2026-05-31").content.decode()
    assert "¥15234.56" in html
    one = client.get(f"{API}/staff/fees?start=2026-05-01&end=2026-05-31"
                     f"&reviewer_id={team.lead.reviewer.pk}").json()
    assert one["totals"]["total"] == "9234.56"
    assert client.get(f"{API}/staff/fees?start=2026-06-01&end=2026-05-01").status_code == 400
