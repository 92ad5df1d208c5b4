"""12 months of KPI data: validation that names the cell, refusals that keep what was there, the
template's round trip, the drawn month (reproducible from its seed) and its recomputation from
the roster and the call detail, the freeze and its reopening."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from core.models import AuditEntry
from reviews import services
from reviews.kpi_data import KpiDataInvalid, grid_check
from reviews.kpi_draw import month_draw
from reviews.models import EvidenceRequest, KpiCheck, KpiDataSet, KpiMonth, ProjectState

from . import kpi_samples as samples
from .conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The services' messages in English (the pages speak Chinese by default)."""
    with translation.override("en"):
        yield


def _save(setup, rows=None, **kwargs):
    return services.kpi_months_save(project=setup.project, rows=rows or samples.grid(),
                                    locate=samples.locate, where="grid", parameters=None,
                                    by=setup.applicant, now=NOW, **kwargs)


def _template(setup) -> bytes:
    return services.kpi_template_xlsx(project=setup.project, today=NOW.date())


def _filled(setup, **changes) -> bytes:
    """The template, filled with the sample months, then `changes` ({"B7": value}) applied."""
    book = load_workbook(io.BytesIO(_template(setup)))
    sheet = book["数据"]
    for row_number, row in enumerate(samples.grid(), start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=row_number, column=column, value=value)
    for cell, value in changes.items():
        sheet[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _refusal(setup, content: bytes) -> list[str]:
    with pytest.raises(KpiDataInvalid) as refused:
        services.kpi_workbook_upload(project=setup.project, upload=io.BytesIO(content),
                                     by=setup.applicant, now=NOW)
    return refused.value.messages


# --------------------------------------------------------------------------- validation


def test_each_rule_names_its_cell_and_every_error_is_reported(kpi_setup):
    messages = _refusal(kpi_setup, _filled(
        kpi_setup,
        B7=12000,  # service level (a rate): answered within the threshold > offered
        C8=0,  # service level's denominator is zero
        D9="很多",  # ASA's numerator is not a number
        F10=-5,  # abandonment's numerator is negative
        A11="2026-10",  # 2026-07, then 2026-10: a gap (and a duplicate of row 13)
    ))
    text = "\n".join(messages)
    assert ("Sheet 数据, cell B7: the numerator 12000 is larger than the denominator 10000 "
            "(a rate of 120 %, outside 0–100 %).") in text
    assert "Sheet 数据, cell C8: the denominator is zero" in text
    assert "Sheet 数据, cell D9: “很多” is not a number." in text
    assert "Sheet 数据, cell F10: -5 is negative" in text
    assert ("Sheet 数据, cell A11: 2026-10 follows 2026-07; the months must be consecutive, so "
            "2026-08 is expected here.") in text
    assert "Sheet 数据, cell A13: 2026-10 appears twice (also at Sheet 数据, cell A11)." in text
    assert len(messages) >= 6


def test_fewer_or_more_than_twelve_months_are_refused(kpi_setup):
    with pytest.raises(KpiDataInvalid) as fewer:
        grid_check(samples.grid()[:11], locate=samples.locate, where="grid")
    assert fewer.value.messages == ["grid: 11 months are given; 12 consecutive months are "
                                    "needed."]
    rows = samples.grid()
    rows.append(["2026-11", *rows[0][1:]])
    with pytest.raises(KpiDataInvalid) as more:
        grid_check(rows, locate=samples.locate, where="grid")
    assert "13 months are given" in more.value.messages[0]
    blank = samples.grid()
    blank[4][3] = None
    with pytest.raises(KpiDataInvalid) as missing:
        grid_check(blank, locate=samples.locate, where="grid")
    assert missing.value.messages == ["r4c3: the numerator is missing."]


def test_a_seconds_kpi_may_exceed_its_denominator_a_rate_may_not(kpi_setup):
    figures = grid_check(samples.grid(), locate=samples.locate, where="grid")
    assert figures[0].counts["asa"] == (Decimal("250000.00"), Decimal("9000.00"))
    assert [f.month for f in figures] == samples.months()


def test_a_refused_upload_saves_nothing_and_keeps_the_old_figures(kpi_setup):
    _save(kpi_setup)
    before = list(KpiMonth.objects.filter(project=kpi_setup.project)
                  .values_list("month", "kpi", "numerator", "denominator").order_by("pk"))
    _refusal(kpi_setup, _filled(kpi_setup, B2=1, B7=99999))
    after = list(KpiMonth.objects.filter(project=kpi_setup.project)
                 .values_list("month", "kpi", "numerator", "denominator").order_by("pk"))
    assert after == before and len(after) == 12 * 9
    assert KpiDataSet.objects.get(project=kpi_setup.project).revision == 1


def test_the_template_round_trips(kpi_setup, client, time_machine):
    time_machine.move_to(NOW)
    client.force_login(kpi_setup.applicant)
    empty = client.get(f"/reviews/projects/{kpi_setup.project.pk}/kpi/template/")
    assert empty.status_code == 200 and "attachment" in empty["Content-Disposition"]
    book = load_workbook(io.BytesIO(empty.content))
    assert book.sheetnames == ["数据", "参数", "说明"]
    header = [cell.value for cell in book["数据"][1]]
    assert header[0] == "月份（YYYY-MM）" and header[1].startswith("服务水平")
    assert len(header) == 1 + 18
    definitions = [row for row in book["说明"].iter_rows(values_only=True)]
    assert len(definitions) == 10 and "离职" in "".join(str(c) for c in definitions[8])
    # The suggested months: the 12 before the current one.
    assert book["数据"]["A2"].value == "2025-11" and book["数据"]["A13"].value == "2026-10"
    sheet = book["数据"]
    for row_number, row in enumerate(samples.grid(), start=2):
        for column, value in enumerate(row[1:], start=2):
            sheet.cell(row=row_number, column=column, value=value)
    book["参数"]["B2"] = 15
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "kpi.xlsx"
    uploaded = client.post(f"/reviews/projects/{kpi_setup.project.pk}/kpi/upload/",
                           {"file": out})
    assert uploaded.status_code == 302, uploaded.content.decode()[:2000]
    data_set = KpiDataSet.objects.get(project=kpi_setup.project)
    assert (data_set.service_level_seconds, data_set.short_abandon_seconds) == (15, 5)
    row = KpiMonth.objects.get(project=kpi_setup.project, kpi="service_level",
                               month=dt.date(2026, 3, 1))
    assert (row.numerator, row.denominator, row.value) == (8000, 10000, Decimal("80.0000"))
    again = load_workbook(io.BytesIO(
        client.get(f"/reviews/projects/{kpi_setup.project.pk}/kpi/template/").content))
    assert [list(r) for r in again["数据"].iter_rows(min_row=2, values_only=True)] == \
        samples.grid()


def test_a_refused_workbook_shows_every_error_on_the_page(kpi_setup, client, time_machine):
    time_machine.move_to(NOW)
    client.force_login(kpi_setup.applicant)
    content = io.BytesIO(_filled(kpi_setup, B7=12000, E3="x"))
    content.name = "kpi.xlsx"
    response = client.post(f"/reviews/projects/{kpi_setup.project.pk}/kpi/upload/",
                           {"file": content})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Sheet 数据, cell B7" in page or "工作表 数据，单元格 B7" in page
    assert "E3" in page and 'data-testid="kpi-errors"' in page
    assert not KpiMonth.objects.filter(project=kpi_setup.project).exists()


def test_the_entry_form_saves_and_names_the_kpi_month_and_count_of_an_error(
        kpi_setup, client, time_machine):
    time_machine.move_to(NOW)
    client.force_login(kpi_setup.applicant)
    url = f"/reviews/projects/{kpi_setup.project.pk}/kpi/edit/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    post = {"first_month": "2025-11", "service_level_seconds": "20",
            "short_abandon_seconds": "5", "fcr_window_days": "7"}
    for index in range(12):
        for kpi, (numerator, denominator) in samples.MONTH.items():
            post[f"{kpi}-{index}-n"] = str(numerator)
            post[f"{kpi}-{index}-d"] = str(denominator)
    post["answer_rate-2-n"] = "20000"
    refused = client.post(url, post)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "2026-01" in text and "20000" in text  # named, and what was typed is kept
    assert not KpiMonth.objects.exists()
    post["answer_rate-2-n"] = "9090"
    assert client.post(url, post).status_code == 302
    assert KpiMonth.objects.filter(project=kpi_setup.project).count() == 108


# --------------------------------------------------------------------------- the draw


def test_the_draw_is_a_pure_function_of_the_months_and_the_seed():
    months = samples.months()
    seed = "ab" * 32
    drawn = month_draw(months, seed)
    assert drawn in months
    assert month_draw(list(reversed(months)), seed) == drawn
    assert {month_draw(months, f"{n:064x}") for n in range(60)} == set(months)


def test_the_month_is_drawn_when_document_review_starts_and_verifies(kpi_setup):
    _save(kpi_setup)
    data_set = KpiDataSet.objects.get(project=kpi_setup.project)
    assert data_set.drawn_month is None  # before the freeze nobody knows the month
    ReviewProjectState = ProjectState
    kpi_setup.project.state = ReviewProjectState.DOCUMENT_REVIEW
    kpi_setup.project.save()
    services.kpi_draw_due(project=kpi_setup.project, now=NOW)
    data_set.refresh_from_db()
    assert data_set.drawn_month in samples.months() and len(data_set.draw_seed) == 64
    assert services.kpi_draw_verify(data_set) == (data_set.drawn_month, True)
    entry = AuditEntry.objects.get(action="reviews.kpi.drawn")
    assert entry.data["seed"] == data_set.draw_seed
    # Tampering with the stored month is caught by recomputing it.
    other = next(m for m in samples.months() if m != data_set.drawn_month)
    data_set.drawn_month = other
    assert services.kpi_draw_verify(data_set) == (month_draw(samples.months(),
                                                             data_set.draw_seed), False)


def test_the_last_signature_starts_document_review_and_draws_the_month(kpi_setup):
    from reviews.models import AgreementAcceptance

    _save(kpi_setup)
    place = kpi_setup.project.members.get(reviewer=kpi_setup.member)
    AgreementAcceptance.objects.filter(member=place).delete()
    services.agreement_accept(member=place, full_name=kpi_setup.member.name_zh,
                              no_conflict=True, ip_address=None, now=NOW)
    kpi_setup.project.refresh_from_db()
    assert kpi_setup.project.state == ProjectState.DOCUMENT_REVIEW
    assert KpiDataSet.objects.get(project=kpi_setup.project).drawn_month is not None


# --------------------------------------------------------------------------- recomputation


def _drawn(setup, *, attrition=(3, 100)) -> dt.date:
    _save(setup, rows=samples.grid(attrition=attrition))
    return services.kpi_month_draw(project=setup.project, now=NOW).drawn_month


def test_a_correct_month_passes_from_both_roster_and_call_detail(kpi_setup):
    month = _drawn(kpi_setup)
    services.kpi_source_upload(project=kpi_setup.project, kind="roster",
                               upload=samples.xlsx(samples.roster_rows(month)),
                               name="花名册.xlsx", by=kpi_setup.applicant, now=NOW)
    services.kpi_source_upload(project=kpi_setup.project, kind="calls",
                               upload=samples.csv_bytes(samples.calls_rows(month)),
                               name="话务.csv", by=kpi_setup.applicant, now=NOW)
    checks = {c.kpi: c for c in KpiCheck.objects.filter(data_set__project=kpi_setup.project)}
    assert set(checks) == {"attrition", "service_level", "answer_rate", "asa", "abandonment"}
    assert not any(c.flagged for c in checks.values())
    assert checks["attrition"].recomputed == Decimal("3.0000")
    assert checks["service_level"].recomputed == Decimal("80.0000")
    assert checks["asa"].recomputed == Decimal("27.7778")
    assert checks["abandonment"].recomputed == Decimal("5.0000")


def test_a_planted_mismatch_is_flagged_on_the_items_the_kpi_supports(kpi_setup):
    from reviews import selectors

    month = _drawn(kpi_setup, attrition=(1, 200))  # reported 0.5 %, the roster says 3 %
    services.kpi_source_upload(project=kpi_setup.project, kind="roster",
                               upload=samples.csv_bytes(samples.roster_rows(month)),
                               name="roster.csv", by=kpi_setup.applicant, now=NOW)
    check = KpiCheck.objects.get(data_set__project=kpi_setup.project, kpi="attrition")
    assert check.flagged and check.difference == Decimal("-2.5000")
    assert (check.reported, check.recomputed) == (Decimal("0.5000"), Decimal("3.0000"))
    # Module 2 items that expect data carry it; items without data evidence or in module 3
    # (which attrition does not support) do not.
    assert selectors.kpi_checks_for_item(kpi_setup.project, kpi_setup.data_item) == [check]
    assert selectors.kpi_checks_for_item(kpi_setup.project, kpi_setup.plain_item) == []
    assert selectors.kpi_checks_for_item(kpi_setup.project, kpi_setup.calls_item) == []


def test_asa_is_flagged_beyond_five_percent_of_the_recomputed_seconds(kpi_setup):
    month = _drawn(kpi_setup)
    rows = samples.calls_rows(month)
    rows[1][6] = rows[2][6] = 140000  # ASA 30.8 s against 27.8 reported: 9.8 % off
    services.kpi_source_upload(project=kpi_setup.project, kind="calls",
                               upload=samples.xlsx(rows), name="calls.xlsx",
                               by=kpi_setup.applicant, now=NOW)
    checks = {c.kpi: c for c in KpiCheck.objects.all()}
    assert checks["asa"].flagged and checks["asa"].tolerance_unit == "percent"
    assert not checks["service_level"].flagged


def test_source_records_with_errors_name_their_cells_and_keep_nothing(kpi_setup):
    month = _drawn(kpi_setup)
    roster = samples.roster_rows(month)
    roster[3][2] = "去年"
    roster[4][0] = "A000"
    roster[5][3] = "2020-01-01"
    with pytest.raises(KpiDataInvalid) as refused:
        services.kpi_source_upload(project=kpi_setup.project, kind="roster",
                                   upload=samples.xlsx(roster), name="r.xlsx",
                                   by=kpi_setup.applicant, now=NOW)
    text = "\n".join(refused.value.messages)
    assert "Sheet Sheet1, cell C4: “去年” is not a date" in text
    assert "Sheet Sheet1, cell A5: agent A000 is listed twice (also row 2)." in text
    assert "Sheet Sheet1, cell D6: the leave date 2020-01-01 is before the start date" in text
    calls = samples.calls_rows(month)
    calls[1][0] = "2001-01-01"
    calls[2][3] = 9999
    with pytest.raises(KpiDataInvalid) as refused_calls:
        services.kpi_source_upload(project=kpi_setup.project, kind="calls",
                                   upload=samples.csv_bytes(calls), name="c.csv",
                                   by=kpi_setup.applicant, now=NOW)
    text = "\n".join(refused_calls.value.messages)
    assert "Row 2, column A: 2001-01-01 is not in the drawn month" in text
    assert "Row 3, column D: answered within the threshold 9999 is more than answered" in text
    assert not KpiCheck.objects.exists()


def test_source_records_wait_for_the_draw(kpi_setup):
    _save(kpi_setup)
    with pytest.raises(services.ReviewError, match="once a month has been drawn"):
        services.kpi_source_upload(project=kpi_setup.project, kind="roster",
                                   upload=samples.csv_bytes(samples.roster_rows(samples.FIRST)),
                                   name="r.csv", by=kpi_setup.applicant, now=NOW)


# --------------------------------------------------------------------------- the freeze


def test_frozen_at_document_review_and_reopened_by_a_request_naming_a_data_item(kpi_setup):
    _save(kpi_setup)
    project = kpi_setup.project
    project.state = ProjectState.DOCUMENT_REVIEW
    project.save()
    with pytest.raises(services.ReviewError, match="frozen"):
        _save(kpi_setup, rows=samples.grid(csat=(900, 1000)))
    request = EvidenceRequest.objects.create(project=project, message="补充话务数据",
                                             due_on=dt.date(2026, 12, 31),
                                             created_by=kpi_setup.lead, created_at=NOW)
    request.items.set([kpi_setup.plain_item])
    with pytest.raises(services.ReviewError, match="frozen"):
        _save(kpi_setup, rows=samples.grid(csat=(900, 1000)))
    request.items.add(kpi_setup.data_item)
    _save(kpi_setup, rows=samples.grid(csat=(900, 1000)))
    assert KpiMonth.objects.get(project=project, kpi="csat",
                                month=samples.FIRST).numerator == 900
    saves = AuditEntry.objects.filter(action="reviews.kpi.saved").order_by("pk")
    assert saves.count() == 2
    assert saves.last().data["previous"]["2025-11"]["csat"] == ["850.00", "1000.00"]


def test_after_the_draw_the_months_stay_and_changed_figures_are_checked_again(kpi_setup):
    month = _drawn(kpi_setup, attrition=(1, 200))
    services.kpi_source_upload(project=kpi_setup.project, kind="roster",
                               upload=samples.csv_bytes(samples.roster_rows(month)),
                               name="roster.csv", by=kpi_setup.applicant, now=NOW)
    assert KpiCheck.objects.get(kpi="attrition").flagged
    with pytest.raises(KpiDataInvalid, match="keep the months"):
        _save(kpi_setup, rows=samples.grid(first=dt.date(2025, 10, 1)))
    _save(kpi_setup, rows=samples.grid())  # attrition corrected to 3 %
    assert not KpiCheck.objects.get(kpi="attrition").flagged
