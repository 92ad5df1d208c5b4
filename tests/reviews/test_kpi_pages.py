"""KPI data pages and API: who sees what (the applicant edits, the signed team and the committee
read, anyone else 404), the chart page with the drawn month marked, the flag on the item and
the checklist, and the API doing what the pages do."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from reviews import services
from reviews.models import AgreementAcceptance, KpiMonth, ProjectState

from . import kpi_samples as samples
from .conftest import NOW

pytestmark = pytest.mark.django_db

API = "/api/v1/reviews"


def _flagged(setup) -> None:
    """12 months saved, the month drawn, the roster uploaded: attrition reported 0.5 %, the
    roster says 3 %; the call detail agrees."""
    services.kpi_months_save(project=setup.project, rows=samples.grid(attrition=(1, 200)),
                             locate=samples.locate, where="grid", parameters=None,
                             by=setup.applicant, now=NOW)
    month = services.kpi_month_draw(project=setup.project, now=NOW).drawn_month
    services.kpi_source_upload(project=setup.project, kind="roster",
                               upload=samples.csv_bytes(samples.roster_rows(month)),
                               name="roster.csv", by=setup.applicant, now=NOW)
    services.kpi_source_upload(project=setup.project, kind="calls",
                               upload=samples.csv_bytes(samples.calls_rows(month)),
                               name="calls.csv", by=setup.applicant, now=NOW)


def test_who_reads_and_who_edits(kpi_setup, client, user_factory, time_machine):
    time_machine.move_to(NOW)
    _flagged(kpi_setup)
    pk = kpi_setup.project.pk
    urls = [f"/reviews/projects/{pk}/kpi/", f"/reviews/projects/{pk}/kpi/edit/",
            f"/reviews/projects/{pk}/kpi/template/", f"{API}/projects/{pk}/kpi",
            f"{API}/projects/{pk}/kpi/checks", f"{API}/projects/{pk}/kpi/template"]

    def statuses(user):
        client.force_login(user)
        return [client.get(url).status_code for url in urls]

    assert statuses(user_factory()) == [404] * 6  # signed in, no part in the review
    assert statuses(kpi_setup.applicant) == [200] * 6
    # The team reads the data and its checks, never the template (the data's copy).
    assert statuses(kpi_setup.lead) == [200, 404, 404, 200, 200, 404]
    committee = user_factory(roles=["expert_committee"], is_staff=True)
    assert statuses(committee) == [200, 404, 404, 200, 200, 404]
    # A drawn reviewer who has not signed the agreement sees nothing.
    AgreementAcceptance.objects.filter(member__reviewer=kpi_setup.member).delete()
    assert statuses(kpi_setup.member) == [404] * 6
    client.force_login(kpi_setup.lead)
    refused = client.put(f"{API}/projects/{pk}/kpi/months",
                         json.dumps({"months": samples.json_months()}),
                         content_type="application/json")
    assert refused.status_code == 404


def test_the_chart_page_marks_the_drawn_month_and_shows_the_mismatch(kpi_setup, client,
                                                                      time_machine):
    time_machine.move_to(NOW)
    _flagged(kpi_setup)
    drawn = kpi_setup.project.kpi_data.drawn_month
    client.force_login(kpi_setup.lead)
    page = client.get(f"/reviews/projects/{kpi_setup.project.pk}/kpi/").content.decode()
    assert page.count("<svg") == 9 and page.count('data-testid="kpi-series"') == 9
    assert page.count(f'data-drawn-month="{drawn:%Y-%m}"') == 9
    assert page.count('data-testid="kpi-drawn-row"') == 9  # the table fallback marks it too
    assert kpi_setup.project.kpi_data.draw_seed in page and 'kpi-draw-verified' in page
    assert 'data-kpi="attrition" data-flagged="1"' in page
    assert 'data-kpi="service_level" data-flagged="0"' in page
    assert "<script" not in page.split("<main")[-1].split("</main>")[0]


def test_the_item_and_the_checklist_show_the_flag_on_supported_items(kpi_setup, client,
                                                                     django_assert_max_num_queries):
    from reviews import selectors

    _flagged(kpi_setup)
    project = kpi_setup.project
    project.state = ProjectState.DOCUMENT_REVIEW
    project.save()
    client.force_login(kpi_setup.lead)
    item = client.get(f"/reviews/projects/{project.pk}/items/{kpi_setup.data_item.pk}/")
    text = item.content.decode()
    assert 'data-testid="item-kpi-checks"' in text and 'data-testid="item-kpi-flag"' in text
    plain = client.get(f"/reviews/projects/{project.pk}/items/{kpi_setup.plain_item.pk}/")
    assert 'data-testid="item-kpi-checks"' not in plain.content.decode()
    calls = client.get(f"/reviews/projects/{project.pk}/items/{kpi_setup.calls_item.pk}/")
    calls_text = calls.content.decode()  # module 3: the call KPIs, all within tolerance
    assert 'data-testid="item-kpi-checks"' in calls_text
    assert 'data-testid="item-kpi-flag"' not in calls_text
    module = client.get(f"/reviews/projects/{project.pk}/checklist/2/").content.decode()
    assert module.count('data-testid="kpi-flag"') == 1
    from cms.models import StandardItem

    items = list(StandardItem.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(2):  # whatever the number of items
        by_item = selectors.kpi_checks_by_item(project, items)
    assert set(by_item) == {kpi_setup.data_item.pk, kpi_setup.calls_item.pk}


def test_the_api_writes_months_names_every_error_and_uploads_sources(kpi_setup, client):
    from tests.app_token import app_headers

    headers = app_headers(client, kpi_setup.applicant)
    pk = kpi_setup.project.pk
    bad = samples.json_months()
    bad[2]["values"]["csat"]["numerator"] = "2000"
    bad[5]["values"]["asa"]["denominator"] = 0
    bad[7]["month"] = "2026-09"
    refused = client.put(f"{API}/projects/{pk}/kpi/months",
                         json.dumps({"months": bad, "service_level_seconds": 15}),
                         content_type="application/json", HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert any(e.startswith("months[2].csat.numerator: the numerator 2000 is larger")
               for e in errors)
    assert any(e.startswith("months[5].asa.denominator: the denominator is zero")
               for e in errors)
    assert any(e.startswith("months[7].month: 2026-09 follows 2026-05") for e in errors)
    assert not KpiMonth.objects.exists()
    saved = client.put(f"{API}/projects/{pk}/kpi/months",
                       json.dumps({"months": samples.json_months(attrition=(1, 200)),
                                   "service_level_seconds": 15}),
                       content_type="application/json", **headers)
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["service_level_seconds"] == 15 and len(body["months"]) == 12
    assert body["months"][0]["values"]["service_level"]["value"] == "80.0000"
    assert [d["kpi"] for d in body["definitions"]][:2] == ["service_level", "asa"]
    assert body["draw"]["month"] is None  # drawn when document review starts
    # The template through the API: download, fill nothing new, upload it back.
    template = client.get(f"{API}/projects/{pk}/kpi/template", **headers)
    assert load_workbook(io.BytesIO(template.content))["数据"]["A2"].value == "2025-11"
    upload = io.BytesIO(template.content)
    upload.name = "kpi.xlsx"
    again = client.post(f"{API}/projects/{pk}/kpi/template", {"file": upload}, **headers)
    assert again.status_code == 200 and again.json()["revision"] == 2
    services.kpi_month_draw(project=kpi_setup.project, now=NOW)
    draw = client.get(f"{API}/projects/{pk}/kpi/draw", **headers).json()
    assert draw["verified"] and draw["month"] == draw["recomputed_month"]
    month = kpi_setup.project.kpi_data.drawn_month
    roster = io.BytesIO(samples.xlsx(samples.roster_rows(month)))
    roster.name = "roster.xlsx"
    created = client.post(f"{API}/projects/{pk}/kpi/sources/roster", {"file": roster},
                          **headers)
    assert created.status_code == 201 and created.json()["counts"]["leavers"] == "3"
    checks = client.get(f"{API}/projects/{pk}/kpi/checks", **headers).json()
    assert [(c["kpi"], c["flagged"]) for c in checks] == [("attrition", True)]
