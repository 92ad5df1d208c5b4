"""The applicant's 12 months of KPI data: saved from the page's form, the xlsx template or the
API (all validated by `reviews.kpi_data.grid_check`, which names every cell in error; a refusal
saves nothing); the month drawn to be recomputed (`reviews.kpi_draw`, seed stored, audited and
logged) when document review starts; the source records uploaded for that month and the
checks they give (`reviews.kpi_sources`), flagged beyond the tolerance of `reviews.conf`."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import asdict
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.exports import tables_xlsx
from core.services import audit_record
from core.uploads import UploadRefused, bounded_read

from .. import kpi_draw, kpi_sources, selectors
from ..conf import setting
from ..errors import ReviewError
from ..kpi_data import (
    KpiDataInvalid,
    Locate,
    MonthFigures,
    Parameters,
    grid_check,
    month_text,
    months_ending_before,
    template_tables,
    workbook_read,
)
from ..kpis import KPI_DEFINITIONS
from ..models import KpiCheck, KpiDataSet, KpiMonth, KpiSource, KpiSourceKind, ReviewProject

logger = logging.getLogger(__name__)
VALUE_QUANTUM = Decimal("0.0001")


def _project_locked(project: ReviewProject) -> ReviewProject:
    return (ReviewProject.objects.select_for_update().select_related("organisation")
            .get(pk=project.pk))


def _data_set_locked(project: ReviewProject) -> KpiDataSet:
    KpiDataSet.objects.get_or_create(project=project)
    return KpiDataSet.objects.select_for_update().get(project=project)


def _editable_check(project: ReviewProject, by: User, *, today: dt.date) -> None:
    if not selectors.can_act_for_applicant(by, project):
        raise ReviewError(_("Only the applicant organisation enters its KPI data."))
    if not selectors.kpi_data_editable(project, today=today):
        raise ReviewError(_("The KPI data was frozen when document review started; it takes "
                            "changes only while a request for more evidence names an item "
                            "that expects data."))


def _previous(project: ReviewProject) -> dict[str, dict[str, list[str]]]:
    previous: dict[str, dict[str, list[str]]] = {}
    for row in KpiMonth.objects.filter(project=project).order_by("month", "kpi"):
        previous.setdefault(month_text(row.month), {})[row.kpi] = [str(row.numerator),
                                                                   str(row.denominator)]
    return previous


def _store(*, project: ReviewProject, figures: list[MonthFigures],
           parameters: Parameters | None, by: User, now: dt.datetime,
           route: str) -> KpiDataSet:
    data_set = _data_set_locked(project)
    months = [f.month for f in figures]
    if data_set.drawn_month is not None and [month_text(m) for m in months] != \
            data_set.draw_months:
        raise KpiDataInvalid(_("The month %(month)s was drawn from these 12 months "
                               "(%(first)s to %(last)s): correct their figures, keep the "
                               "months.") % {"month": month_text(data_set.drawn_month),
                                             "first": data_set.draw_months[0],
                                             "last": data_set.draw_months[-1]})
    previous = _previous(project)
    KpiMonth.objects.filter(project=project).delete()
    KpiMonth.objects.bulk_create([
        KpiMonth(project=project, month=f.month, kpi=kpi, numerator=numerator,
                 denominator=denominator,
                 value=_value(kpi, numerator, denominator))
        for f in figures for kpi, (numerator, denominator) in f.counts.items()
    ])
    if parameters is not None:
        for field, value in asdict(parameters).items():
            setattr(data_set, field, value)
    data_set.revision += 1
    data_set.submitted_by = by
    data_set.submitted_at = now
    data_set.save()
    audit_record(actor=by, action="reviews.kpi.saved", target=project, data={
        "revision": data_set.revision, "route": route,
        "months": [month_text(m) for m in months],
        "parameters": {"service_level_seconds": data_set.service_level_seconds,
                       "short_abandon_seconds": data_set.short_abandon_seconds,
                       "fcr_window_days": data_set.fcr_window_days},
        "previous": previous,
    })
    _draw_if_due(project, data_set, now=now)
    _checks_refresh(data_set, now=now)
    return data_set


def _value(kpi: str, numerator: Decimal, denominator: Decimal) -> Decimal:
    value = KPI_DEFINITIONS[kpi].value(numerator, denominator)
    assert value is not None  # grid_check refuses a zero denominator
    return value.quantize(VALUE_QUANTUM)


@transaction.atomic
def kpi_months_save(*, project: ReviewProject, rows: Sequence[Sequence[Any]], locate: Locate,
                    where: str, parameters: Parameters | None, by: User, route: str = "web",
                    now: dt.datetime | None = None) -> KpiDataSet:
    """The 12 months (`rows` as `kpi_data.grid_check` reads them) replace those reported:
    the applicant only, while the data is open. Every problem refuses the whole save
    (KpiDataInvalid, every cell named); the earlier figures stay and are kept in the audit
    entry of the save that replaced them."""
    now = now or timezone.now()
    project = _project_locked(project)
    _editable_check(project, by, today=timezone.localdate(now))
    figures = grid_check(rows, locate=locate, where=where)
    return _store(project=project, figures=figures, parameters=parameters, by=by, now=now,
                  route=route)


@transaction.atomic
def kpi_workbook_upload(*, project: ReviewProject, upload: IO[bytes] | bytes, by: User,
                        now: dt.datetime | None = None) -> KpiDataSet:
    """A filled template (xlsx, read through core.uploads' limits) replaces the months, as
    `kpi_months_save`; its 参数 sheet, when there, sets the parameters."""
    now = now or timezone.now()
    project = _project_locked(project)
    _editable_check(project, by, today=timezone.localdate(now))
    try:
        figures, parameters = workbook_read(upload)
    except UploadRefused as refused:
        raise KpiDataInvalid(refused.messages) from None
    return _store(project=project, figures=figures, parameters=parameters, by=by, now=now,
                  route="xlsx")


def kpi_template_xlsx(*, project: ReviewProject, today: dt.date) -> bytes:
    """The template, filled with what is reported (or the 12 months before `today`'s, empty)."""
    data_set = selectors.kpi_data_set(project)
    figures = selectors.kpi_figures(project)
    months = sorted(figures) or months_ending_before(today)
    parameters = (Parameters(service_level_seconds=data_set.service_level_seconds,
                             short_abandon_seconds=data_set.short_abandon_seconds,
                             fcr_window_days=data_set.fcr_window_days)
                  if data_set else Parameters())
    counts = {month: {kpi: (row.numerator, row.denominator) for kpi, row in rows.items()}
              for month, rows in figures.items()}
    return tables_xlsx(template_tables(months=months, figures=counts, parameters=parameters))


# --------------------------------------------------------------------------- the draw


def _complete(project: ReviewProject) -> list[dt.date]:
    months = sorted(set(KpiMonth.objects.filter(project=project)
                        .values_list("month", flat=True)))
    return months if len(months) == 12 else []


def _draw(project: ReviewProject, data_set: KpiDataSet, *, now: dt.datetime,
          seed: str | None = None, by: User | None = None) -> KpiDataSet:
    months = _complete(project)
    if not months:
        raise ReviewError(_("The month is drawn from 12 complete months: enter them first."))
    seed = seed or kpi_draw.seed_new()
    data_set.draw_seed = seed
    data_set.draw_months = [month_text(m) for m in months]
    data_set.drawn_month = kpi_draw.month_draw(months, seed)
    data_set.drawn_at = now
    data_set.save(update_fields=["draw_seed", "draw_months", "drawn_month", "drawn_at"])
    logger.info("project %s: KPI month %s drawn with seed %s from %s", project.pk,
                month_text(data_set.drawn_month), seed, ",".join(data_set.draw_months))
    audit_record(actor=by, action="reviews.kpi.drawn", target=project, data={
        "seed": seed, "months": data_set.draw_months,
        "month": month_text(data_set.drawn_month)})
    return data_set


def _draw_if_due(project: ReviewProject, data_set: KpiDataSet, *, now: dt.datetime) -> None:
    if (data_set.drawn_month is None and selectors.evidence_is_frozen(project)
            and _complete(project)):
        _draw(project, data_set, now=now)


@transaction.atomic
def kpi_draw_due(*, project: ReviewProject, now: dt.datetime | None = None) -> KpiDataSet | None:
    """Draw the month once the evidence is frozen (document review has started) and the 12
    months are complete; nothing when it is already drawn, or not due. Called when document
    review starts and after every save."""
    now = now or timezone.now()
    data_set = KpiDataSet.objects.select_for_update().filter(project=project).first()
    if data_set is None:
        return None
    _draw_if_due(project, data_set, now=now)
    return data_set


@transaction.atomic
def kpi_month_draw(*, project: ReviewProject, by: User | None = None, seed: str | None = None,
                   now: dt.datetime | None = None) -> KpiDataSet:
    """Draw the month now, whatever the stage (the demo; a certification admin's repair):
    refuses before 12 months are complete, or when one is drawn already."""
    now = now or timezone.now()
    data_set = _data_set_locked(project)
    if data_set.drawn_month is not None:
        raise ReviewError(_("The month is already drawn."))
    return _draw(project, data_set, now=now, seed=seed, by=by)


def kpi_draw_verify(data_set: KpiDataSet) -> tuple[dt.date | None, bool]:
    """The month recomputed from the stored months and seed, and whether it is the one
    stored."""
    if data_set.drawn_month is None or not data_set.draw_seed:
        return None, False
    months = [dt.date.fromisoformat(f"{text}-01") for text in data_set.draw_months]
    recomputed = kpi_draw.month_draw(months, data_set.draw_seed)
    return recomputed, recomputed == data_set.drawn_month


# --------------------------------------------------------------------------- source records


def _clean_name(name: str | None) -> str:
    return PurePath((name or "").replace("\\", "/")).name.strip()[:255] or "records"


@transaction.atomic
def kpi_source_upload(*, project: ReviewProject, kind: str, upload: IO[bytes] | bytes,
                      name: str | None, by: User,
                      now: dt.datetime | None = None) -> KpiSource:
    """The applicant's source records for the drawn month (the staff roster, or the
    call-detail summary; xlsx or CSV as `reviews.kpi_sources` describes): read, checked (every
    cell in error named; nothing kept on a refusal), kept (earlier uploads too) and compared
    with the reported month (`KpiCheck`). Audited."""
    now = now or timezone.now()
    project = _project_locked(project)
    if not selectors.can_act_for_applicant(by, project):
        raise ReviewError(_("Only the applicant organisation uploads its source records."))
    if kind not in KpiSourceKind.values:
        raise ReviewError(_("Choose the staff roster or the call-detail summary."))
    data_set = _data_set_locked(project)
    if data_set.drawn_month is None:
        raise ReviewError(_("Source records are asked for once a month has been drawn."))
    if not selectors.kpi_sources_open(project):
        raise ReviewError(_("The review is past the stage where source records are taken."))
    name = _clean_name(name)
    if not name.lower().endswith((".xlsx", ".csv")):
        raise KpiDataInvalid(_("Upload the records as an Excel workbook (.xlsx) or a CSV "
                               "file."))
    try:
        content = bounded_read(upload)
    except UploadRefused as refused:
        raise KpiDataInvalid(refused.messages) from None
    reader = kpi_sources.roster_read if kind == KpiSourceKind.ROSTER else kpi_sources.calls_read
    read = reader(content, name=name, month=data_set.drawn_month)
    source = KpiSource(data_set=data_set, kind=kind, month=data_set.drawn_month,
                       original_name=name, sha256=hashlib.sha256(content).hexdigest(),
                       rows=read.rows, counts={k: str(v) for k, v in read.counts.items()},
                       uploaded_by=by, uploaded_at=now)
    source.original.save(f"{kind}.{name.rsplit('.', 1)[-1].lower()}", ContentFile(content),
                         save=False)
    source.save()
    checks = _checks_for(data_set, source, read.values, now=now)
    audit_record(actor=by, action="reviews.kpi.source_uploaded", target=project, data={
        "source": source.pk, "kind": kind, "month": month_text(source.month),
        "sha256": source.sha256, "rows": read.rows, "counts": source.counts,
        "flagged": [check.kpi for check in checks if check.flagged],
    })
    return source


def _checks_for(data_set: KpiDataSet, source: KpiSource, values: dict[str, Decimal], *,
                now: dt.datetime) -> list[KpiCheck]:
    reported = {row.kpi: row.value for row in KpiMonth.objects.filter(
        project_id=data_set.project_id, month=source.month, kpi__in=list(values))}
    checks = []
    for kpi, recomputed in values.items():
        if kpi not in reported:
            continue
        comparison = kpi_sources.compare(
            kpi, reported=reported[kpi], recomputed=recomputed,
            points=Decimal(setting("REVIEWS_KPI_TOLERANCE_POINTS")),
            seconds_percent=Decimal(setting("REVIEWS_KPI_TOLERANCE_SECONDS_PERCENT")))
        check, _created = KpiCheck.objects.update_or_create(
            data_set=data_set, kpi=kpi, defaults={
                "month": source.month, "source": source, "reported": comparison.reported,
                "recomputed": comparison.recomputed, "difference": comparison.difference,
                "tolerance": comparison.tolerance, "tolerance_unit": comparison.tolerance_unit,
                "flagged": comparison.flagged, "checked_at": now})
        checks.append(check)
    return checks


def _checks_refresh(data_set: KpiDataSet, *, now: dt.datetime) -> None:
    """After the figures change (a reopened data set), the checks compare the new ones."""
    if data_set.drawn_month is None:
        return
    for source in selectors.kpi_current_sources(data_set).values():
        counts = {k: Decimal(v) for k, v in source.counts.items()}
        _checks_for(data_set, source, kpi_sources.values_from_counts(source.kind, counts),
                    now=now)
