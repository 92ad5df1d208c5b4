"""The KPI set an applicant reports for 12 consecutive months (DESIGN.md, "KPI definitions"):
each KPI's definition, what its numerator and denominator count, its unit, which way is better
and the standard's modules whose items it supports. The one home of these facts: the template,
the validation, the recomputation, the charts and the benchmark all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kpi(models.TextChoices):
    SERVICE_LEVEL = "service_level", _("Service level")
    ASA = "asa", _("Average speed of answer (ASA)")
    ABANDONMENT = "abandonment", _("Abandonment rate")
    ANSWER_RATE = "answer_rate", _("Answer rate (接通率)")
    AHT = "aht", _("Average handling time (AHT)")
    OCCUPANCY = "occupancy", _("Occupancy")
    FCR = "fcr", _("First contact resolution (FCR)")
    ATTRITION = "attrition", _("Attrition")
    CSAT = "csat", _("Customer satisfaction (CSAT)")


class KpiUnit(models.TextChoices):
    PERCENT = "percent", "%"
    SECONDS = "seconds", _("seconds")


@dataclass(frozen=True)
class KpiDefinition:
    kpi: Kpi
    definition: Promise
    numerator: Promise
    denominator: Promise
    unit: KpiUnit
    higher_is_better: bool
    # Numbers of the standard's modules (`StandardModulePage.number`) whose data items this KPI
    # supports: a recomputation mismatch is flagged on those items.
    modules: tuple[int, ...]

    @property
    def is_rate(self) -> bool:
        """A share: its numerator can never exceed its denominator."""
        return self.unit == KpiUnit.PERCENT

    def value(self, numerator: Decimal, denominator: Decimal) -> Decimal | None:
        """The KPI's value in its unit, or None when nothing was counted."""
        if not denominator:
            return None
        ratio = Decimal(numerator) / Decimal(denominator)
        return ratio * 100 if self.is_rate else ratio


KPI_DEFINITIONS: dict[str, KpiDefinition] = {
    d.kpi.value: d
    for d in (
        KpiDefinition(
            Kpi.SERVICE_LEVEL,
            _("Share of offered contacts answered within the stated threshold (X/Y); abandons "
              "within the short-abandon threshold are left out of both counts."),
            _("answered within the threshold"), _("offered"), KpiUnit.PERCENT, True, (3, 5)),
        KpiDefinition(
            Kpi.ASA,
            _("Queue time of answered contacts ÷ answered contacts."),
            _("queue seconds of answered contacts"), _("answered"), KpiUnit.SECONDS, False,
            (3, 5)),
        KpiDefinition(
            Kpi.ABANDONMENT,
            _("Abandoned ÷ offered; abandons shorter than the stated short-abandon threshold are "
              "excluded."),
            _("abandoned"), _("offered"), KpiUnit.PERCENT, False, (3, 5)),
        KpiDefinition(
            Kpi.ANSWER_RATE,
            _("Answered ÷ offered."),
            _("answered"), _("offered"), KpiUnit.PERCENT, True, (3, 5)),
        KpiDefinition(
            Kpi.AHT,
            _("(Talk + hold + wrap-up time) ÷ handled contacts."),
            _("talk, hold and wrap-up seconds"), _("handled"), KpiUnit.SECONDS, False, (3, 5)),
        KpiDefinition(
            Kpi.OCCUPANCY,
            _("(Talk + wrap-up time) ÷ logged-in available time."),
            _("talk and wrap-up seconds"), _("logged-in available seconds"), KpiUnit.PERCENT,
            True, (3, 5)),
        KpiDefinition(
            Kpi.FCR,
            _("Contacts with no repeat contact on the same issue within the stated window "
              "(commonly 7 days) ÷ contacts resolved."),
            _("resolved with no repeat contact"), _("contacts"), KpiUnit.PERCENT, True, (4, 6)),
        KpiDefinition(
            Kpi.ATTRITION,
            _("Leavers in the month ÷ average headcount of the month."),
            _("leavers"), _("average headcount"), KpiUnit.PERCENT, False, (2,)),
        KpiDefinition(
            Kpi.CSAT,
            _("Top-2-box share of survey answers on a 5-point scale."),
            _("answers rating 4 or 5"), _("survey answers"), KpiUnit.PERCENT, True, (6,)),
    )
}
