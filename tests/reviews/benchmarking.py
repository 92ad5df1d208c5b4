"""Reviewed organisations with KPI months, made directly: an organisation with a review
profile (industry, consent), a decided project and its months of one KPI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from accounts.models import Organisation
from reviews.kpis import KPI_DEFINITIONS
from reviews.models import KpiMonth, OrganisationProfile, ProjectState, ReviewProject

from .conftest import NOW


def months_back(count: int, *, last: dt.date = dt.date(2026, 9, 1)) -> list[dt.date]:
    """`count` first days of months, oldest first, ending with `last`."""
    days, year, month = [], last.year, last.month
    for _ in range(count):
        days.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return days[::-1]


def kpi_months(project: ReviewProject, kpi: str,
               counts: Sequence[tuple[Decimal | int | str, Decimal | int | str]]) -> None:
    """One month per (numerator, denominator), the last in September 2026."""
    definition = KPI_DEFINITIONS[kpi]
    for month, (numerator, denominator) in zip(months_back(len(counts)), counts, strict=True):
        value = definition.value(Decimal(numerator), Decimal(denominator))
        assert value is not None
        KpiMonth.objects.create(project=project, month=month, kpi=kpi,
                                numerator=Decimal(numerator), denominator=Decimal(denominator),
                                value=value.quantize(Decimal("0.0001")))


def reviewed(version: Any, *, name: str, industry: str, value: Decimal | int | str | None = None,
             kpi: str = "answer_rate", named: bool = False,
             state: str = ProjectState.CERTIFIED, decided_at: dt.datetime = NOW,
             organisation: Organisation | None = None,
             counts: Sequence[tuple[Any, Any]] | None = None) -> ReviewProject:
    """An organisation of `industry` (consenting to be named if `named`) with a project in
    `state` whose 12 months of `kpi` are `value` each (a share of 100), or `counts`."""
    if organisation is None:
        organisation = Organisation.objects.create(name=name)
        OrganisationProfile.objects.create(organisation=organisation, industry=industry,
                                           centre_type="in_house", seats=100,
                                           channels=["voice"], benchmark_named=named)
    project = ReviewProject.objects.create(
        organisation=organisation, standard_version=version, state=state, scope="总部",
        decided_at=decided_at if state in (ProjectState.CERTIFIED, ProjectState.NOT_CERTIFIED,
                                           ProjectState.CERTIFICATE_ISSUED) else None)
    if counts is None:
        counts = [(Decimal(value) * 100, 10000)] * 12  # type: ignore[arg-type]
    kpi_months(project, kpi, counts)
    return project
