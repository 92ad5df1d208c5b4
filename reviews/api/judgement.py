"""/api/v1/reviews/: a reviewer's projects, the integrity agreement (read, accept, or decline
the place), the checklist with their own judgements, the lead's final judgements and
consolidation; the expert committee's decision. The pages' rules: a project's operations
answer 404 to anyone not on its team, 403 until the agreement is accepted, and the lead's
operations 404 to a member who is not the lead."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from core.api_auth import permission_check, signed_in
from core.api_errors import ErrorOut, form_error
from core.bounds import ObjectId
from core.typing import AuthenticatedHttpRequest

from .. import selectors, services
from ..forms import AgreementForm, DecisionForm, DeclineForm, JudgementForm
from ..models import (
    AgreementVersion,
    FinalJudgement,
    Judgement,
    MemberState,
    ReviewProject,
    TeamMember,
    TeamRole,
)
from ..rates import ModuleRate
from ..selectors import Checklist, ChecklistItem
from ..views.decision import DECIDE_PERM

router = Router(tags=["reviews"])


class ProjectOut(Schema):
    id: int
    organisation: str
    standard_version: str
    scope: str
    state: str
    state_name: str
    role: str = Field(description='"lead" or "member"')
    agreement_accepted: bool
    recommendation: str = Field(description='"certify", "not_certify", or "" before '
                                "consolidation")


class AgreementVersionOut(Schema):
    number: int
    text: str
    text_en: str
    published_at: dt.datetime


class AcceptanceOut(Schema):
    version: int
    full_name: str
    no_conflict: bool
    ip_address: str | None
    accepted_at: dt.datetime


class AgreementOut(Schema):
    current: AgreementVersionOut | None = Field(description="The version to sign (null when "
                                                "none is published)")
    acceptance: AcceptanceOut | None = Field(description="My signature, once signed")
    acceptance_version: AgreementVersionOut | None = Field(description="The version I signed")


class AcceptIn(Schema):
    full_name: str = Field(description="As on my account (Chinese or English name)")
    no_conflict: bool = Field(description="I declare no conflict of interest with the applicant")


class DeclineIn(Schema):
    reason: str


class DeclineOut(Schema):
    declined: bool
    replacement_drawn: bool


class VerdictOut(Schema):
    verdict: str = Field(description='"conforms" (符合) or "not_conforms" (不符合)')
    reason: str
    recorded_at: dt.datetime


class MemberVerdictOut(VerdictOut):
    reviewer: str
    role: str


class ChecklistItemOut(Schema):
    id: int
    code: str
    title: str
    requirement: str
    permalink: str
    mine: VerdictOut | None = None
    final: VerdictOut | None = None
    team: list[MemberVerdictOut] = Field(default_factory=list,
                                         description="Every member's (lead and committee)")
    disagreement: bool = False


class ModuleRateOut(Schema):
    total: int
    judged: int
    conforming: int
    rate_percent: Decimal | None
    pass_rate: Decimal
    passes: bool


class ChecklistModuleOut(Schema):
    number: int
    title: str
    mine: ModuleRateOut = Field(description="From my own judgements")
    final: ModuleRateOut = Field(description="From the team's final judgements")
    items: list[ChecklistItemOut]


class ChecklistOut(Schema):
    project: ProjectOut
    modules: list[ChecklistModuleOut]
    final_complete: bool
    passes: bool = Field(description="The final judgements pass every module")


class JudgementIn(Schema):
    verdict: str = Field(description='"conforms" (符合) or "not_conforms" (不符合)')
    reason: str = Field(description="Required for either verdict")


class DecisionProjectOut(Schema):
    id: int
    organisation: str
    standard_version: str
    state: str
    recommendation: str
    consolidated_at: dt.datetime | None
    decision_accepts: bool | None
    decision_reason: str
    decided_by: str | None
    decided_at: dt.datetime | None


class DecisionOut(DecisionProjectOut):
    modules: list[ChecklistModuleOut]


class DecisionIn(Schema):
    accepts: bool = Field(description="Accept the team's recommendation")
    reason: str


# --------------------------------------------------------------------------- helpers


def _member(request: AuthenticatedHttpRequest, project_id: int, *, signed: bool = True,
            lead: bool = False) -> TeamMember:
    member = selectors.membership_for(user=request.user, project_id=project_id)
    if member is None or (lead and member.role != TeamRole.LEAD):
        raise HttpError(404, _("Not found."))
    if signed and not selectors.member_has_accepted(member):
        raise HttpError(403, _("Accept the integrity agreement before you judge."))
    return member


def _project_out(member: TeamMember) -> ProjectOut:
    project = member.project
    return ProjectOut(
        id=project.pk, organisation=project.organisation.name,
        standard_version=project.standard_version.title, scope=project.scope,
        state=project.state, state_name=str(project.get_state_display()), role=member.role,
        agreement_accepted=selectors.member_has_accepted(member),
        recommendation=project.recommendation)


def _version_out(version: AgreementVersion | None) -> AgreementVersionOut | None:
    if version is None or version.published_at is None:
        return None
    return AgreementVersionOut(number=version.number, text=version.text,
                               text_en=version.text_en, published_at=version.published_at)


def _verdict(record: Judgement | FinalJudgement | None) -> VerdictOut | None:
    if record is None:
        return None
    return VerdictOut(verdict=record.verdict, reason=record.reason,
                      recorded_at=record.recorded_at)


def _item_out(entry: ChecklistItem) -> ChecklistItemOut:
    return ChecklistItemOut(
        id=entry.item.pk, code=entry.item.code, title=entry.title,
        requirement=entry.requirement, permalink=entry.permalink, mine=_verdict(entry.own),
        final=_verdict(entry.final), disagreement=entry.disagreement,
        team=[MemberVerdictOut(verdict=j.verdict, reason=j.reason, recorded_at=j.recorded_at,
                               reviewer=j.member.reviewer.display_name, role=j.member.role)
              for j in entry.team])


def _rate_out(rate: ModuleRate) -> ModuleRateOut:
    return ModuleRateOut(total=rate.total, judged=rate.judged, conforming=rate.conforming,
                         rate_percent=rate.rate_percent, pass_rate=rate.pass_rate,
                         passes=rate.passes)


def _modules_out(checklist: Checklist) -> list[ChecklistModuleOut]:
    return [ChecklistModuleOut(number=m.number, title=m.title, mine=_rate_out(m.own),
                      final=_rate_out(m.final), items=[_item_out(i) for i in m.items])
            for m in checklist.modules]


def _checklist_out(member: TeamMember, *, with_team: bool) -> ChecklistOut:
    checklist = selectors.project_checklist(member.project, member=member, with_team=with_team)
    return ChecklistOut(project=_project_out(member), modules=_modules_out(checklist),
                        final_complete=checklist.final_complete, passes=checklist.passes)


def _refused(error: services.ReviewError) -> Status[ErrorOut]:
    return Status(400, ErrorOut(code="refused", detail=" ".join(error.messages)))


# --------------------------------------------------------------------------- reviewers


@router.get("/projects", response=list[ProjectOut], auth=signed_in)
def projects_mine(request: AuthenticatedHttpRequest) -> list[ProjectOut]:
    """The reviews I am drawn for (declined places left out), newest first."""
    return [_project_out(member) for member in selectors.memberships_of(request.user)
            .filter(state=MemberState.DRAWN).select_related("agreement")]


@router.get("/projects/{project_id}", response={200: ProjectOut, 404: ErrorOut}, auth=signed_in)
def project_mine(request: AuthenticatedHttpRequest, project_id: ObjectId) -> ProjectOut:
    return _project_out(_member(request, project_id, signed=False))


@router.get("/projects/{project_id}/agreement", response={200: AgreementOut, 404: ErrorOut},
            auth=signed_in)
def agreement_read(request: AuthenticatedHttpRequest, project_id: ObjectId) -> AgreementOut:
    """The integrity agreement to sign, and my signature once given."""
    member = _member(request, project_id, signed=False)
    acceptance = getattr(member, "agreement", None)
    return AgreementOut(
        current=_version_out(selectors.agreement_current(now=timezone.now())),
        acceptance=AcceptanceOut(version=acceptance.version.number,
                                 full_name=acceptance.full_name,
                                 no_conflict=acceptance.no_conflict,
                                 ip_address=acceptance.ip_address,
                                 accepted_at=acceptance.accepted_at) if acceptance else None,
        acceptance_version=_version_out(acceptance.version) if acceptance else None)


@router.post("/projects/{project_id}/agreement",
             response={201: AcceptanceOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def agreement_accept(request: AuthenticatedHttpRequest, project_id: ObjectId,
                     payload: AcceptIn) -> Status:
    """Sign the current agreement: my full name as on my account, and the no-conflict
    declaration. When the whole team has signed, document review starts."""
    member = _member(request, project_id, signed=False)
    form = AgreementForm({"full_name": payload.full_name,
                          "no_conflict": "on" if payload.no_conflict else ""})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        acceptance = services.agreement_accept(
            member=member, full_name=form.cleaned_data["full_name"], no_conflict=True,
            ip_address=request.META.get("REMOTE_ADDR"))
    except services.ReviewError as error:
        return _refused(error)
    return Status(201, AcceptanceOut(version=acceptance.version.number,
                                     full_name=acceptance.full_name, no_conflict=True,
                                     ip_address=acceptance.ip_address,
                                     accepted_at=acceptance.accepted_at))


@router.post("/projects/{project_id}/decline",
             response={200: DeclineOut, 400: ErrorOut, 404: ErrorOut}, auth=signed_in)
def decline(request: AuthenticatedHttpRequest, project_id: ObjectId,
            payload: DeclineIn) -> Status:
    """Decline my place (refusing the agreement is a decline), with a reason: a replacement is
    drawn from the rest of the frozen pool."""
    member = _member(request, project_id, signed=False)
    form = DeclineForm({"reason": payload.reason})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        redraw = services.team_member_decline(member=member, reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, DeclineOut(declined=True, replacement_drawn=redraw is not None))


@router.get("/projects/{project_id}/checklist",
            response={200: ChecklistOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def checklist(request: AuthenticatedHttpRequest, project_id: ObjectId) -> ChecklistOut:
    """Every item of the standard version by module, with my judgement of each and each
    module's progress (judged of total) and rate."""
    return _checklist_out(_member(request, project_id), with_team=False)


def _record(request: AuthenticatedHttpRequest, project_id: int, item_id: int,
            payload: JudgementIn, *, final: bool) -> Status:
    member = _member(request, project_id, lead=final)
    item = selectors.project_item(member.project, item_id)
    if item is None:
        raise HttpError(404, _("Not found."))
    form = JudgementForm({"verdict": payload.verdict, "reason": payload.reason})
    if not form.is_valid():
        return Status(400, form_error(form))
    record = services.final_judgement_record if final else services.judgement_record
    try:
        saved = record(member=member, item=item, verdict=form.cleaned_data["verdict"],
                       reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, _verdict(saved))


@router.put("/projects/{project_id}/judgements/{item_id}",
            response={200: VerdictOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            auth=signed_in)
def judgement_record(request: AuthenticatedHttpRequest, project_id: ObjectId,
                     item_id: ObjectId, payload: JudgementIn) -> Status:
    """Record (or change) my judgement of one item."""
    return _record(request, project_id, item_id, payload, final=False)


@router.get("/projects/{project_id}/final",
            response={200: ChecklistOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def final_read(request: AuthenticatedHttpRequest, project_id: ObjectId) -> ChecklistOut:
    """The lead's view: every member's judgement of each item, disagreements, the final
    judgements and each module's rate against its pass rate."""
    return _checklist_out(_member(request, project_id, lead=True), with_team=True)


@router.put("/projects/{project_id}/final/{item_id}",
            response={200: VerdictOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
            auth=signed_in)
def final_record(request: AuthenticatedHttpRequest, project_id: ObjectId, item_id: ObjectId,
                 payload: JudgementIn) -> Status:
    """The lead records (or changes) the team's final judgement of one item."""
    return _record(request, project_id, item_id, payload, final=True)


@router.post("/projects/{project_id}/onsite/start",
             response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def onsite_start(request: AuthenticatedHttpRequest, project_id: ObjectId) -> Status:
    """The lead records that the team's visit has begun: document review becomes on-site
    review."""
    member = _member(request, project_id, lead=True)
    try:
        services.project_onsite_start(member=member)
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, _project_out(_member(request, project_id, lead=True)))


@router.post("/projects/{project_id}/consolidate",
             response={200: ProjectOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def consolidate(request: AuthenticatedHttpRequest, project_id: ObjectId) -> Status:
    """The lead consolidates once every item has a final judgement: the team recommends
    certification when every module passes."""
    member = _member(request, project_id, lead=True)
    try:
        services.project_consolidate(member=member)
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, _project_out(_member(request, project_id, lead=True)))


# --------------------------------------------------------------------------- committee


def _decision_project(project: ReviewProject) -> DecisionProjectOut:
    return DecisionProjectOut(
        id=project.pk, organisation=project.organisation.name,
        standard_version=project.standard_version.title, state=project.state,
        recommendation=project.recommendation, consolidated_at=project.consolidated_at,
        decision_accepts=project.decision_accepts, decision_reason=project.decision_reason,
        decided_by=project.decided_by.display_name if project.decided_by else None,
        decided_at=project.decided_at)


def _decision_out(project: ReviewProject) -> DecisionOut:
    return DecisionOut(**_decision_project(project).dict(),
                       modules=_modules_out(selectors.project_checklist(project)))


def _project_or_404(project_id: int) -> ReviewProject:
    project = (ReviewProject.objects.select_related("organisation", "standard_version",
                                                    "decided_by")
               .filter(pk=project_id).first())
    if project is None:
        raise HttpError(404, _("Not found."))
    return project


@router.get("/staff/decisions", response={200: list[DecisionProjectOut], 403: ErrorOut},
            auth=signed_in)
def staff_decisions(request: AuthenticatedHttpRequest) -> list[DecisionProjectOut]:
    """The consolidated reviews waiting for the expert committee's decision."""
    permission_check(request, DECIDE_PERM)
    return [_decision_project(p) for p in selectors.projects_consolidated()]


@router.get("/staff/projects/{project_id}/decision",
            response={200: DecisionOut, 403: ErrorOut, 404: ErrorOut}, auth=signed_in)
def staff_decision(request: AuthenticatedHttpRequest, project_id: ObjectId) -> DecisionOut:
    """A review's recommendation, module table and decision (once made)."""
    permission_check(request, DECIDE_PERM)
    return _decision_out(_project_or_404(project_id))


@router.post("/staff/projects/{project_id}/decision",
             response={200: DecisionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
             auth=signed_in)
def staff_decide(request: AuthenticatedHttpRequest, project_id: ObjectId,
                 payload: DecisionIn) -> Status:
    """Accept the team's recommendation or not, with a reason (a committee member who was not
    on the team): certified or not certified."""
    permission_check(request, DECIDE_PERM)
    project = _project_or_404(project_id)
    form = DecisionForm({"accepts": "yes" if payload.accepts else "no",
                         "reason": payload.reason})
    if not form.is_valid():
        return Status(400, form_error(form))
    try:
        project = services.project_decide(project=project, by=request.user,
                                          accepts=form.cleaned_data["accepts"],
                                          reason=form.cleaned_data["reason"])
    except services.ReviewError as error:
        return _refused(error)
    return Status(200, _decision_out(_project_or_404(project.pk)))
