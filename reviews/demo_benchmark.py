"""Demo content for KPI benchmarking and reviewers' fees (idempotent, all marked as sample):
16 sample organisations whose review is decided, each with 12 months of plausible KPI data
(seeded random, the same on every run): 7 banks and 6 telecom operators, so those cells show,
and 3 insurers, so the suppression of a cell under 5 organisations shows; some consent to be
named. The demo applicant's organisation (星辰银行) gets 12 months of reported data on its
application, so its members see its position. And fee records for the team of the
consolidated sample review, so that a fee statement shows."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from accounts.demo import demo_user
from accounts.models import Organisation
from certification.models import CentreType
from cms.models import StandardVersionPage
from cms.selectors import version_current

from . import selectors, services
from .kpis import KPI_DEFINITIONS, Kpi
from .models import (
    KpiMonth,
    MemberState,
    OrganisationProfile,
    ProjectState,
    ReviewerFee,
    ReviewProject,
)

# (name, industry, consents to be named)
SAMPLE_ORGANISATIONS = [
    ("青禾示范银行客服中心（示例）", "banking", True),
    ("东川示范银行客服中心（示例）", "banking", False),
    ("长汀示范银行信用卡中心（示例）", "banking", True),
    ("南枫示范银行客服中心（示例）", "banking", False),
    ("北原示范农商银行客服中心（示例）", "banking", False),
    ("西岭示范银行远程银行中心（示例）", "banking", True),
    ("滨溪示范银行客服中心（示例）", "banking", False),
    ("青山示范移动客服中心（示例）", "telecom", True),
    ("白云示范通信客服中心（示例）", "telecom", False),
    ("东岳示范电信客服中心（示例）", "telecom", False),
    ("星网示范宽带客服中心（示例）", "telecom", True),
    ("远帆示范通信客服中心（示例）", "telecom", False),
    ("海峡示范移动客服中心（示例）", "telecom", False),
    ("安康示范保险客服中心（示例）", "insurance", True),
    ("泰和示范人寿客服中心（示例）", "insurance", False),
    ("恒信示范财险客服中心（示例）", "insurance", False),
]

# Per KPI: the typical value by industry (its unit) and the monthly denominator's range.
TYPICAL: dict[str, tuple[dict[str, float], tuple[int, int]]] = {
    Kpi.SERVICE_LEVEL: ({"banking": 86, "telecom": 80, "insurance": 84}, (60_000, 300_000)),
    Kpi.ASA: ({"banking": 18, "telecom": 28, "insurance": 22}, (55_000, 280_000)),
    Kpi.ABANDONMENT: ({"banking": 3.5, "telecom": 5.5, "insurance": 4.5}, (60_000, 300_000)),
    Kpi.ANSWER_RATE: ({"banking": 96, "telecom": 93, "insurance": 95}, (60_000, 300_000)),
    Kpi.AHT: ({"banking": 240, "telecom": 300, "insurance": 270}, (55_000, 280_000)),
    Kpi.OCCUPANCY: ({"banking": 82, "telecom": 85, "insurance": 80}, (5_000_000, 20_000_000)),
    Kpi.FCR: ({"banking": 78, "telecom": 72, "insurance": 75}, (40_000, 200_000)),
    Kpi.ATTRITION: ({"banking": 2.0, "telecom": 3.2, "insurance": 2.6}, (200, 900)),
    Kpi.CSAT: ({"banking": 92, "telecom": 87, "insurance": 90}, (3_000, 20_000)),
}
DECISION_REASON = "演示数据：基准样本的评审决定（示例）"


def _months(today: dt.date, count: int = 12) -> list[dt.date]:
    """The `count` full months before `today`'s, oldest first."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(dt.date(year, month, 1))
    return months[::-1]


def kpi_months_make(project: ReviewProject, *, industry: str, seed: str,
                    today: dt.date) -> int:
    """12 months of every KPI for `project`, drawn from `seed` (the same on every run): the
    organisation's own level around its industry's typical value, and a little monthly
    noise. Nothing if the project has KPI data already."""
    if KpiMonth.objects.filter(project=project).exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 (sample figures, drawn the same on every run)
    rows = []
    for kpi, (typical, (low, high)) in TYPICAL.items():
        definition = KPI_DEFINITIONS[kpi]
        base = typical.get(industry, typical["banking"])
        level = base * rng.uniform(0.85, 1.15)
        size = rng.randint(low, high)
        for month in _months(today):
            value = level * rng.uniform(0.96, 1.04)
            if definition.is_rate:
                value = min(value, 99.5)
            denominator = Decimal(int(size * rng.uniform(0.9, 1.1)))
            factor = Decimal(str(round(value, 4)))
            numerator = (denominator * factor / (100 if definition.is_rate else 1)).quantize(
                Decimal("1"))
            stored = definition.value(numerator, denominator)
            assert stored is not None
            rows.append(KpiMonth(project=project, month=month, kpi=kpi, numerator=numerator,
                                 denominator=denominator,
                                 value=stored.quantize(Decimal("0.0001"))))
    KpiMonth.objects.bulk_create(rows)
    return len(rows)


def _sample_organisation(name: str, industry: str, named: bool, version: StandardVersionPage,
                         now: dt.datetime) -> ReviewProject:
    organisation, _created = Organisation.objects.get_or_create(name=name)
    OrganisationProfile.objects.get_or_create(
        organisation=organisation,
        defaults={"industry": industry, "centre_type": CentreType.IN_HOUSE,
                  "seats": 120 + sum(map(ord, name)) % 780, "channels": ["voice"],
                  "benchmark_named": named})
    project = ReviewProject.objects.filter(organisation=organisation).first()
    if project is None:
        # Its review (draw, judgement) is the other demos' part: this one starts decided.
        # Decided "not certified" so that no sample centre waits for a certificate on the
        # certification admins' page.
        project = ReviewProject.objects.create(
            organisation=organisation, standard_version=version, scope="总部（示例）",
            state=ProjectState.NOT_CERTIFIED, decided_at=now - dt.timedelta(days=20),
            decision_reason=DECISION_REASON)
    return project


def _fees_demo(stdout: TextIO, today: dt.date) -> None:
    """Fee records for the team of the consolidated sample review, ended today (so the
    current month's statement has them)."""
    from .demo import CONSOLIDATED_CENTRE  # demo.load calls this module

    project = ReviewProject.objects.filter(organisation__name=CONSOLIDATED_CENTRE[0]).first()
    if project is None:
        return
    admin = demo_user("certs@demo.ccso")
    members = project.members.exclude(state=MemberState.DECLINED).select_related("reviewer")
    for n, member in enumerate(members):
        if ReviewerFee.objects.filter(member=member).exists():
            continue
        services.fee_record(
            member=member, by=admin, work_ended_on=today, document_days=Decimal("2.5"),
            onsite_days=Decimal("2") if n == 0 else Decimal("1.5"),
            travel_amount=Decimal("1860.00") if n == 0 else Decimal("420.50"),
            travel_note="北京—杭州 往返高铁及住宿两晚（示例）" if n == 0 else "市内交通（示例）")
    names = "、".join(m.reviewer.display_name for m in members)
    stdout.write(f"  fee records for the team of {project.organisation.name} ({names}): "
                 "/reviews/staff/fees/ (certs@demo.ccso); each reviewer's own: /reviews/fees/")


def load_benchmark_demo(stdout: TextIO) -> None:
    from .demo import APPLICANT_ORGANISATION  # demo.load calls this module

    version = version_current()
    if version is None:
        stdout.write("reviews: no published standard version; the benchmark demo is skipped")
        return
    now = timezone.now()
    today = timezone.localdate(now)
    for name, industry, named in SAMPLE_ORGANISATIONS:
        project = _sample_organisation(name, industry, named, version, now)
        kpi_months_make(project, industry=industry, seed=f"benchmark-demo:{name}", today=today)
    applicant = Organisation.objects.filter(name=APPLICANT_ORGANISATION).first()
    applicant_project = (ReviewProject.objects.filter(organisation=applicant).order_by("pk")
                         .first() if applicant else None)
    if applicant_project is not None:
        kpi_months_make(applicant_project, industry="banking",
                        seed="benchmark-demo:applicant", today=today)
    shown = sum(len(kpi.cells) for kpi in selectors.benchmark())
    stdout.write(f"reviews: {len(SAMPLE_ORGANISATIONS)} sample organisations in the KPI "
                 f"benchmark ({shown} cells shown; insurance, with 3, is not): /reviews/benchmark/ "
                 "(committee@demo.ccso, certs@demo.ccso)")
    if applicant is not None:
        stdout.write(f"  {applicant.name}'s own position (applicant@demo.ccso): "
                     f"/reviews/organisations/{applicant.pk}/benchmark/")
    _fees_demo(stdout, today)
