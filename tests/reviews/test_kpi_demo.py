"""`make run`'s KPI demo: the sample review has 12 months of data, the drawn month, its source
records and one flagged mismatch (attrition); loading twice adds nothing."""

from __future__ import annotations

from io import StringIO

from django.apps import apps
from django.core.management import call_command

from reviews import selectors, services
from reviews.models import KpiCheck, KpiMonth, MemberState, ReviewProject


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _rows() -> dict[str, int]:
    return {model._meta.label: model.objects.count()
            for model in apps.get_app_config("reviews").get_models()}


def test_the_demo_review_has_its_months_drawn_month_and_one_mismatch(db, client):
    printed = _load()
    rows = _rows()
    _load()
    assert _rows() == rows
    project = ReviewProject.objects.get(organisation__name="星河客服中心（示例）")
    assert f"/reviews/projects/{project.pk}/kpi/" in printed
    assert KpiMonth.objects.filter(project=project).count() == 12 * 9
    data_set = project.kpi_data
    assert services.kpi_draw_verify(data_set) == (data_set.drawn_month, True)
    assert data_set.sources.count() == 2
    checks = {c.kpi: c.flagged for c in KpiCheck.objects.filter(data_set=data_set)}
    assert checks == {"attrition": True, "service_level": False, "answer_rate": False,
                      "asa": False, "abandonment": False}
    # The demo reviewer reads it once signed; the contact reads and may still edit it.
    mine = project.members.get(reviewer__email="reviewer@demo.ccso", state=MemberState.DRAWN)
    services.agreement_accept(member=mine, full_name="周评审", no_conflict=True,
                              ip_address=None)
    client.force_login(mine.reviewer)
    page = client.get(f"/reviews/projects/{project.pk}/kpi/")
    assert page.status_code == 200 and page.content.decode().count("<svg") == 9
    contact = selectors.organisation_contacts(project.organisation)[0]
    assert contact.email == "galaxy@demo.ccso"
