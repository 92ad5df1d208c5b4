"""Judgement of the standard's items: each reviewer's own, the lead's final one for the team,
and the lead's consolidation with the team's recommendation."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import StandardItem
from core.services import audit_record

from .. import selectors
from ..errors import ReviewError
from ..models import (
    FinalJudgement,
    Judgement,
    MemberState,
    ProjectState,
    Recommendation,
    ReviewProject,
    TeamMember,
    TeamRole,
    Verdict,
)
from . import emails

# The stages in which the team judges.
JUDGING_STATES = (ProjectState.DOCUMENT_REVIEW, ProjectState.ONSITE_REVIEW)


def _judging_member(member: TeamMember, *, lead: bool = False) -> tuple[ReviewProject,
                                                                         TeamMember]:
    """The project, locked, and the member, checked: on the team, signed, judging stage (and
    the lead when `lead`)."""
    project = ReviewProject.objects.select_for_update().get(pk=member.project_id)
    member = TeamMember.objects.select_related("reviewer", "agreement").get(pk=member.pk)
    if member.state != MemberState.DRAWN:
        raise ReviewError(_("You are no longer on this team."))
    if not selectors.member_has_accepted(member):
        raise ReviewError(_("Accept the integrity agreement before you judge."))
    if lead and member.role != TeamRole.LEAD:
        raise ReviewError(_("Only the lead reviewer records the team's final judgement."))
    if project.state not in JUDGING_STATES:
        raise ReviewError(_("Items are judged during document and on-site review; this review "
                            "is not at that stage."))
    return project, member


def _checked(project: ReviewProject, item: StandardItem, verdict: str,
             reason: str) -> tuple[StandardItem, str]:
    if verdict not in Verdict.values:
        raise ReviewError(_("Choose 符合 (conforms) or 不符合 (does not conform)."))
    reason = reason.strip()
    if not reason:
        raise ReviewError(_("Give the reason for your judgement, whichever it is."))
    found = selectors.project_item(project, item.pk)
    if found is None:
        raise ReviewError(_("This item is not part of the project's standard version."))
    return found, reason


R = TypeVar("R", Judgement, FinalJudgement)


def _save(model: type[R], *, lookup: dict[str, Any], verdict: str, reason: str,
          fields: dict[str, Any]) -> tuple[R, str | None, bool]:
    """Create or change the judgement at `lookup`: (it, the verdict it had, whether it
    changed). Saving what it already says changes nothing."""
    current = model.objects.filter(**lookup).first()
    if current is not None and (current.verdict, current.reason) == (verdict, reason):
        return current, current.verdict, False
    saved, _created = model.objects.update_or_create(
        **lookup, defaults={"verdict": verdict, "reason": reason, **fields})
    return saved, current.verdict if current else None, True


@transaction.atomic
def judgement_record(*, member: TeamMember, item: StandardItem, verdict: str, reason: str,
                     now: dt.datetime | None = None) -> Judgement:
    """The reviewer's own judgement of one item (符合/不符合 with a reason), created or
    changed; audited with the previous one when it changes."""
    project, member = _judging_member(member)
    item, reason = _checked(project, item, verdict, reason)
    judgement, previous, changed = _save(
        Judgement, lookup={"member": member, "item": item}, verdict=verdict, reason=reason,
        fields={"recorded_at": now or timezone.now()})
    if changed:
        audit_record(actor=member.reviewer, action="reviews.judgement.recorded",
                     target=project, reason=reason,
                     data={"item": item.code, "verdict": verdict, "previous": previous})
    return judgement


@transaction.atomic
def final_judgement_record(*, member: TeamMember, item: StandardItem, verdict: str,
                           reason: str, now: dt.datetime | None = None) -> FinalJudgement:
    """The lead records the team's final judgement of one item, created or changed; audited
    with the members' judgements it was made on."""
    project, member = _judging_member(member, lead=True)
    item, reason = _checked(project, item, verdict, reason)
    final, previous, changed = _save(
        FinalJudgement, lookup={"project": project, "item": item}, verdict=verdict,
        reason=reason, fields={"recorded_by": member.reviewer,
                               "recorded_at": now or timezone.now()})
    if changed:
        members = dict(Judgement.objects.filter(member__project=project, item=item,
                                                member__state=MemberState.DRAWN)
                       .values_list("member__reviewer_id", "verdict"))
        audit_record(actor=member.reviewer, action="reviews.final.recorded", target=project,
                     reason=reason, data={"item": item.code, "verdict": verdict,
                                          "previous": previous,
                                          "members": {str(k): v for k, v in members.items()}})
    return final


@transaction.atomic
def project_onsite_start(*, member: TeamMember, now: dt.datetime | None = None) -> ReviewProject:
    """The lead records that the team's visit has begun: document review becomes on-site
    review (现场评审). Judging and on-site capture go on; the evidence stays frozen. Audited;
    the team and the applicant's people are told."""
    now = now or timezone.now()
    project, member = _judging_member(member, lead=True)
    if project.state != ProjectState.DOCUMENT_REVIEW:
        raise ReviewError(_("On-site review starts from document review; this review is "
                            "already past it."))
    project.state = ProjectState.ONSITE_REVIEW
    project.save(update_fields=["state", "updated_at"])
    audit_record(actor=member.reviewer, action="reviews.project.onsite_started", target=project,
                 data={"at": now.isoformat()})
    emails.project_state_email(project=project, recipients=[
        *emails.team(project), *selectors.organisation_contacts(project.organisation)])
    return project


@transaction.atomic
def project_consolidate(*, member: TeamMember, now: dt.datetime | None = None) -> ReviewProject:
    """The lead consolidates once every item has a final judgement: the team recommends
    certification when every module reaches its pass rate, and not otherwise. The project is
    consolidated (audited with each module's figures) and the team, the certification admins
    and the expert committee are emailed."""
    now = now or timezone.now()
    project, member = _judging_member(member, lead=True)
    checklist = selectors.project_checklist(project)
    if not checklist.final_complete:
        missing = sum(m.final.total - m.final.judged for m in checklist.modules)
        raise ReviewError(_("%(count)s items have no final judgement yet: record them all "
                            "before consolidating.") % {"count": missing})
    project.recommendation = (Recommendation.CERTIFY if checklist.passes
                              else Recommendation.NOT_CERTIFY)
    project.state = ProjectState.CONSOLIDATED
    project.consolidated_at = now
    project.consolidated_by = member.reviewer
    project.save(update_fields=["recommendation", "state", "consolidated_at", "consolidated_by",
                                "updated_at"])
    audit_record(actor=member.reviewer, action="reviews.project.consolidated", target=project,
                 data={"recommendation": project.recommendation, "modules": [
                     {"number": m.number, "conforming": m.final.conforming,
                      "judged": m.final.judged, "pass_rate": str(m.final.pass_rate),
                      "passes": m.final.passes} for m in checklist.modules]})
    emails.project_state_email(project=project, recipients=[
        *emails.team(project), *emails.certification_admins(), *emails.expert_committee()])
    return project

