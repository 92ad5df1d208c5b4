"""The expert committee's decision on a consolidated review (the people who judge do not
decide)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services import audit_record

from .. import selectors
from ..errors import ReviewError
from ..models import ProjectState, Recommendation, ReviewProject
from . import emails
from .certificates import project_certificate_issue


@transaction.atomic
def project_decide(*, project: ReviewProject, by: User, accepts: bool, reason: str,
                   now: dt.datetime | None = None) -> ReviewProject:
    """A member of the expert committee who was never on the project's team accepts the team's
    recommendation or not, with a reason: the project is certified (and its certificate issued
    at once) or not certified accordingly. Audited; emailed to the team and the certification
    admins."""
    now = now or timezone.now()
    reason = reason.strip()
    project = ReviewProject.objects.select_for_update().get(pk=project.pk)
    if project.state != ProjectState.CONSOLIDATED:
        raise ReviewError(_("Only a consolidated review can be decided."))
    if not by.has_perm("reviews.decide_project"):
        raise ReviewError(_("Only a member of the expert committee decides certification."))
    if selectors.project_was_on_team(project, by):
        raise ReviewError(_("You were drawn for this review's team: the people who judge do not "
                            "decide. Another member of the expert committee must decide."))
    if not reason:
        raise ReviewError(_("Give the reason for the decision: it is kept with the project."))
    certify = (project.recommendation == Recommendation.CERTIFY) == accepts
    project.state = ProjectState.CERTIFIED if certify else ProjectState.NOT_CERTIFIED
    project.decision_accepts = accepts
    project.decision_reason = reason
    project.decided_by = by
    project.decided_at = now
    project.save(update_fields=["state", "decision_accepts", "decision_reason", "decided_by",
                                "decided_at", "updated_at"])
    audit_record(actor=by, action="reviews.project.decided", target=project, reason=reason,
                 data={"state": project.state, "recommendation": project.recommendation,
                       "accepts": accepts})
    emails.project_state_email(
        project=project, recipients=[*emails.team(project), *emails.certification_admins()])
    if project.state == ProjectState.CERTIFIED:
        # In the same transaction: a certified centre is never left without its certificate.
        project_certificate_issue(project=project, actor=by, today=timezone.localdate(now))
        project.refresh_from_db()
    return project
