"""The review's tools in the staff workspace (core.workspace): the certification admins'
applications and centre certificates, the expert committee's decisions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workspace import WorkspaceTool

from .services.fees import RECORD_FEES_PERM
from .views.applications import ACCEPT_PROJECT_PERM
from .views.benchmark import VIEW_BENCHMARK_PERM
from .views.certificates import MANAGE_CERTIFICATE_PERM
from .views.decision import DECIDE_PERM
from .views.spotchecks import SPOT_CHECK_PERM

TOOLS = [
    WorkspaceTool(
        label=_("Review applications"),
        description=_("Submitted applications to accept or return, and each project's draw."),
        url_name="reviews:staff_projects",
        permission=ACCEPT_PROJECT_PERM,  # as reviews.views.applications.staff_projects
        order=31,
    ),
    WorkspaceTool(
        label=_("Centre certificates"),
        description=_("Certified contact centres: issue, suspend or withdraw their certificate."),
        url_name="reviews:staff_certificates",
        permission=MANAGE_CERTIFICATE_PERM,  # as reviews.views.certificates.staff_certificates
        order=32,
    ),
    WorkspaceTool(
        label=_("Reviews to decide"),
        description=_("Consolidated reviews: the team's recommendation and module rates, and "
                      "the committee's decision."),
        url_name="reviews:staff_decisions",
        permission=DECIDE_PERM,  # as reviews.views.decision.staff_decisions
        order=35,
    ),
    WorkspaceTool(
        label=_("Reviewers' fees"),
        description=_("Reviewers' days, daily fee and travel per project; the statement of a "
                      "period for the consulting firm (xlsx)."),
        url_name="reviews:staff_fees",
        permission=RECORD_FEES_PERM,  # as reviews.views.fees.staff_fees
        order=33,
    ),
    WorkspaceTool(
        label=_("KPI benchmark"),
        description=_("Quartiles of each KPI by industry over the reviewed organisations, "
                      "and its export."),
        url_name="reviews:benchmark",
        permission=VIEW_BENCHMARK_PERM,  # as reviews.views.benchmark.benchmark_overview
        order=37,
    ),
    WorkspaceTool(
        label=_("Spot-checks and reviewers' records"),
        description=_("Draw decided reviews to re-judge, record findings, sanction reviewers "
                      "and resolve their appeals; each reviewer's agreement rate."),
        url_name="reviews:staff_spotchecks",
        permission=SPOT_CHECK_PERM,  # as reviews.views.spotchecks.staff_spotchecks
        order=36,
    ),
]
