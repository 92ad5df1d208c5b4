"""Demo KPI data (idempotent, all sample figures): the sample review of 星河客服中心（示例）
(`load_judgement_demo`'s project) gets a contact (galaxy@demo.ccso, a member of the
organisation), 12 plausible months of every KPI, the drawn month (drawn at load, so the sample
has its source records already; on a real project the month is drawn when document review
starts), the roster and the call-detail summary of that month, and one flagged mismatch:
attrition reported at 0.5 % while the roster says 3 %."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from typing import TextIO

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Organisation, User
from core.exports import Table, table_csv, table_xlsx

from . import services
from .kpi_data import COLUMNS, month_add, month_text, months_ending_before
from .kpi_sources import source_header
from .models import KpiDataSet, MemberRole, OrganisationMember, ReviewProject

CENTRE = "星河客服中心（示例）"
CONTACT = ("galaxy@demo.ccso", "钱数据（示例）", "QIAN Shuju")
# A year's seasonal swing of the volume (January is the Spring Festival peak).
SEASON = [112, 104, 96, 98, 100, 103, 108, 110, 101, 99, 102, 115]
HEADCOUNT = 200
PLANTED_LEAVERS = 1  # reported for the drawn month: 0.5 %; the roster shows 6 leavers (3 %)
ROSTER_LEAVERS = 6


def _contact(organisation: Organisation) -> User:
    email, name_zh, name_en = CONTACT
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name_zh=name_zh,
                                        name_en=name_en, organisation=organisation)
    EmailAddress.objects.update_or_create(user=user, email=email,
                                          defaults={"verified": True, "primary": True})
    OrganisationMember.objects.get_or_create(organisation=organisation, user=user,
                                             defaults={"role": MemberRole.ADMIN})
    return user


def _calls(month: dt.date) -> dict[str, int]:
    """The month's call counts: offered, short abandons, answered, within 20 s, abandoned,
    queue seconds of answered."""
    offered = 52_000 * SEASON[month.month - 1] // 100
    short = offered // 100
    answered = offered * (93 - SEASON[month.month - 1] // 20) // 100
    within = (offered - short) * (86 - SEASON[month.month - 1] // 10) // 100
    abandoned = short + offered * 5 // 100
    return {"offered": offered, "short": short, "answered": answered, "within": within,
            "abandoned": abandoned, "queue_seconds": answered * (18 + month.month)}


def _grid(months: list[dt.date], drawn_leavers: dict[dt.date, int]) -> list[list[object]]:
    rows: list[list[object]] = []
    for index, month in enumerate(months):
        c = _calls(month)
        counts = {
            "service_level": (c["within"], c["offered"] - c["short"]),
            "asa": (c["queue_seconds"], c["answered"]),
            "abandonment": (c["abandoned"] - c["short"], c["offered"] - c["short"]),
            "answer_rate": (c["answered"], c["offered"]),
            "aht": (c["answered"] * (300 + index * 3), c["answered"]),
            "occupancy": (2_900_000 + index * 10_000, 3_600_000),
            "fcr": (c["answered"] * (76 + index % 4) // 100, c["answered"]),
            "attrition": (drawn_leavers.get(month, 4 + index % 3), HEADCOUNT),
            "csat": (8_600 + index * 20, 10_000),
        }
        rows.append([month_text(month), *[counts[kpi][0 if part == "numerator" else 1]
                                          for kpi, part in COLUMNS]])
    return rows


def _roster(month: dt.date) -> bytes:
    """HEADCOUNT agents at the start; ROSTER_LEAVERS leave in the month and as many join."""
    table = Table(title="花名册", header=source_header("roster"))
    hired = month_add(month, -18)
    for n in range(HEADCOUNT):
        leave = month.replace(day=5 + n * 3) if n < ROSTER_LEAVERS else None
        table.append([f"XH{n + 1:04d}", f"坐席{n + 1}（示例）", hired, leave])
    for n in range(ROSTER_LEAVERS):
        table.append([f"XH{HEADCOUNT + n + 1:04d}", f"新坐席{n + 1}（示例）",
                      month.replace(day=15), None])
    return table_xlsx(table)


def _call_detail(month: dt.date) -> bytes:
    """One row per day adding up exactly to the month's reported counts."""
    totals = _calls(month)
    days = calendar.monthrange(month.year, month.month)[1]
    table = Table(title="话务明细", header=source_header("calls"))
    fields = ("offered", "answered", "within", "abandoned", "short", "queue_seconds")
    for day in range(1, days + 1):
        row = [totals[f] // days + (totals[f] % days if day == days else 0) for f in fields]
        table.append([month.replace(day=day), *row])
    return table_csv(table)


def load_kpi_demo(stdout: TextIO) -> None:
    organisation = Organisation.objects.filter(name=CENTRE).first()
    project = (ReviewProject.objects.filter(organisation=organisation).first()
               if organisation else None)
    if organisation is None or project is None:
        return
    contact = _contact(organisation)
    data_set = KpiDataSet.objects.filter(project=project).first()
    if data_set is None or data_set.drawn_month is None:
        months = months_ending_before(timezone.localdate())
        services.kpi_months_save(project=project, rows=_grid(months, {}),
                                 locate=lambda i, c: f"{i}:{c}", where="demo",
                                 parameters=None, by=contact, route="demo")
        data_set = services.kpi_month_draw(project=project)
        assert data_set.drawn_month is not None
        # The planted mismatch: the drawn month's attrition reported lower than the roster.
        services.kpi_months_save(
            project=project, rows=_grid(months, {data_set.drawn_month: PLANTED_LEAVERS}),
            locate=lambda i, c: f"{i}:{c}", where="demo", parameters=None, by=contact,
            route="demo")
    month = data_set.drawn_month
    assert month is not None
    if not data_set.sources.exists():
        services.kpi_source_upload(project=project, kind="roster",
                                   upload=io.BytesIO(_roster(month)), name="花名册（示例）.xlsx",
                                   by=contact)
        services.kpi_source_upload(project=project, kind="calls",
                                   upload=io.BytesIO(_call_detail(month)),
                                   name="话务明细（示例）.csv", by=contact)
    flagged = [check.get_kpi_display() for check in data_set.checks.filter(flagged=True)]
    stdout.write(f"reviews: 12 months of KPI data for {CENTRE}, {month_text(month)} drawn and "
                 f"recomputed ({', '.join(str(f) for f in flagged) or 'no'} mismatch): "
                 f"/reviews/projects/{project.pk}/kpi/ (the team, once signed; its contact "
                 f"{CONTACT[0]})")

