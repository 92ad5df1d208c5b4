"""The spreadsheets certification admins download. Each is written through `core.exports`, which
writes what people typed (names, employers) as text, never as a formula."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.exports import Table, table_xlsx

from . import selectors
from .models import RankingWeights
from .selectors import RankedCandidate


def reviewer_candidates_xlsx(*, today: dt.date) -> bytes:
    """The reviewer candidates ranked as on the staff page today, with the weights used."""
    weights = selectors.ranking_weights()
    ranked = selectors.reviewer_candidates_ranked(today=today, weights=weights)
    return table_xlsx(reviewer_candidates_table(ranked=ranked, weights=weights))


def reviewer_candidates_table(*, ranked: Sequence[RankedCandidate],
                              weights: RankingWeights) -> Table:
    """The ranking as a sheet: one row per candidate with each component of the total."""
    table = Table(title=_("Reviewer candidates"), header=[
        _("Rank"), _("Name"), _("Name (pinyin or English)"), _("Email"), _("Employer"),
        _("Coordinator number"), _("Exam score (%)"), _("Years in operations"),
        _("Highest management level"), _("Reviews and audits"), _("Exam points"),
        _("Years points"), _("Management points"), _("Review points"), _("Total"),
        pgettext("certification", "Submitted"),
    ])
    for row in ranked:
        applicant = row.application.applicant
        table.append([
            row.rank, applicant.name_zh, applicant.name_en, applicant.email,
            str(applicant.organisation or ""), row.application.coordinator_credential.number,
            row.exam_score, row.years, row.management_level, row.review_count,
            row.exam_points, row.years_points, row.management_points, row.review_points,
            row.total, timezone.localtime(row.application.submitted_at).strftime("%Y-%m-%d %H:%M"),
        ])
    table.append([])
    table.append([_("Weights"), f"{weights.exam_weight}/{weights.years_weight}/"
                  f"{weights.management_weight}/{weights.review_weight}",
                  _("Ties: higher total, higher exam score, more years, earlier application.")])
    return table
