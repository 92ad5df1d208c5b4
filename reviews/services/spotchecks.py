"""The expert committee's spot-checks (抽查/复审): the draw of decided reviews and of items in
each, its verification, the re-judgement of the sampled items with the findings it makes, the
completion; the sanctions of reviewers on findings (through certification's status service)
and the reviewer's appeal against one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from certification import services as certification
from certification.models import Credential
from core.services import audit_record, email_send_templated
from exams.models import AppealState

from .. import selectors
from ..conf import setting
from ..draw import seed_new
from ..errors import ReviewError
from ..models import (
    Finding,
    ReviewProject,
    Sanction,
    SanctionAction,
    SanctionAppeal,
    SanctionState,
    SpotCheck,
    SpotCheckJudgement,
    SpotCheckReview,
    SpotCheckState,
    Verdict,
)
from ..spotcheck import items_select, reviews_select
from . import emails

SPOT_CHECK_PERM = "reviews.spot_check"


def _committee_only(user: User) -> None:
    if not user.has_perm(SPOT_CHECK_PERM):
        raise ReviewError(_("Only a member of the expert committee does this."))


@transaction.atomic
def spotcheck_draw(*, by: User, now: dt.datetime | None = None) -> SpotCheck:
    """Draw decided reviews at random for `by` (a member of the expert committee) to re-judge:
    the pool (every decided review, less those `by` served on and those already drawn) is
    frozen, a seed generated and stored with it, `REVIEWS_SPOTCHECK_RATE` % of the pool (at
    least `REVIEWS_SPOTCHECK_MIN_REVIEWS`) drawn, and in each drawn review, its items per
    module frozen and `REVIEWS_SPOTCHECK_ITEM_RATE` % of each module (at least
    `REVIEWS_SPOTCHECK_MIN_ITEMS`, at most the module's items) sampled with the same seed.
    Audited. Refuses when no decided review can be drawn."""
    now = now or timezone.now()
    _committee_only(by)
    pool, excluded = selectors.spotcheck_pool(by)
    if not pool:
        raise ReviewError(_("No decided review can be drawn: none has been decided yet, or you "
                            "served on each of those not drawn before."))
    seed = seed_new()
    rate, minimum = setting("REVIEWS_SPOTCHECK_RATE"), setting("REVIEWS_SPOTCHECK_MIN_REVIEWS")
    item_rate, item_minimum = (setting("REVIEWS_SPOTCHECK_ITEM_RATE"),
                               setting("REVIEWS_SPOTCHECK_MIN_ITEMS"))
    selected = reviews_select(pool=pool, seed=seed, percent=rate, minimum=minimum)
    spot_check = SpotCheck.objects.create(
        pool=pool, exclusions={str(k): v for k, v in sorted(excluded.items())}, seed=seed,
        rate=rate, minimum=minimum, item_rate=item_rate, item_minimum=item_minimum,
        selected=selected, created_by=by, created_at=now)
    projects = ReviewProject.objects.select_related("standard_version").in_bulk(selected)
    for project_id in selected:
        modules = selectors.project_items_by_module(projects[project_id])
        SpotCheckReview.objects.create(
            spot_check=spot_check, project=projects[project_id], modules=modules,
            sample=items_select(project_id=project_id, modules=modules, seed=seed,
                                percent=item_rate, minimum=item_minimum))
    audit_record(actor=by, action="reviews.spotcheck.drawn", target=spot_check, data={
        "seed": seed, "pool": pool, "selected": selected, "rate": rate,
        "item_rate": item_rate})
    return spot_check


@dataclass(frozen=True)
class SpotCheckVerification:
    spot_check: SpotCheck
    selected: list[int]
    samples: dict[int, dict[str, list[int]]]  # project id → module → item ids
    matches: bool


def spotcheck_verify(spot_check: SpotCheck) -> SpotCheckVerification:
    """Recompute the draw from what it stored (the frozen pool, the frozen items per module,
    the seed, the rates) and compare with the selection it recorded."""
    selected = reviews_select(pool=spot_check.pool, seed=spot_check.seed,
                              percent=spot_check.rate, minimum=spot_check.minimum)
    reviews = list(spot_check.reviews.all())
    samples = {review.project_id: items_select(
        project_id=review.project_id, modules=review.modules, seed=spot_check.seed,
        percent=spot_check.item_rate, minimum=spot_check.item_minimum) for review in reviews}
    matches = (selected == list(spot_check.selected)
               and sorted(r.project_id for r in reviews) == sorted(selected)
               and all(samples[r.project_id] == r.sample for r in reviews))
    return SpotCheckVerification(spot_check=spot_check, selected=selected, samples=samples,
                                 matches=matches)


def _finding_update(check: SpotCheckJudgement, *, now: dt.datetime) -> Finding | None:
    """Make, change or remove the finding of a re-judgement: one when the committee's verdict
    differs from the team's final judgement or from any reviewer's own; it names those whose
    verdict differs (and the lead who recorded a final judgement it differs from)."""
    project = check.review.project
    final = project.final_judgements.filter(item_id=check.item_id).first()
    team = selectors.team_verdicts_for(project, check.item_id)
    concerned = {v.reviewer.pk for v in team if v.verdict != check.verdict}
    disagrees_with_final = final is not None and final.verdict != check.verdict
    if disagrees_with_final and final is not None:
        concerned.add(final.recorded_by_id)
    existing = Finding.objects.filter(judgement=check).first()
    if not concerned and not disagrees_with_final:
        if existing is not None:
            if existing.sanctions.exists():
                raise ReviewError(_("A sanction rests on this item's finding: the re-judgement "
                                    "can no longer agree with the team."))
            existing.delete()
        return None
    finding, _created = Finding.objects.update_or_create(judgement=check, defaults={
        "final_verdict": final.verdict if final is not None else "",
        "disagrees_with_final": disagrees_with_final, "reason": check.reason,
        "created_at": existing.created_at if existing else now})
    finding.reviewers.set(sorted(concerned))
    return finding


@transaction.atomic
def spotcheck_item_judge(*, review: SpotCheckReview, item_id: int, by: User, verdict: str,
                         reason: str, now: dt.datetime | None = None) -> SpotCheckJudgement:
    """The committee member who drew the spot-check re-judges a sampled item 符合/不符合 with
    a reason; a disagreement with the team's final judgement or a reviewer's own is a finding
    (`_finding_update`). Only while the spot-check is open. Audited on the review."""
    now = now or timezone.now()
    reason = reason.strip()
    spot_check = SpotCheck.objects.select_for_update().get(pk=review.spot_check_id)
    if spot_check.created_by_id != by.pk:
        raise ReviewError(_("Only the committee member who drew this spot-check re-judges it."))
    _committee_only(by)
    if spot_check.state != SpotCheckState.OPEN:
        raise ReviewError(_("This spot-check is completed: its judgements no longer change."))
    if item_id not in review.sample_ids:
        raise ReviewError(_("This item is not in the spot-check's sample."))
    if verdict not in Verdict.values:
        raise ReviewError(_("Choose 符合 (conforms) or 不符合 (does not conform)."))
    if not reason:
        raise ReviewError(_("Give the reason for your judgement: it is kept with the "
                            "spot-check."))
    previous = review.judgements.filter(item_id=item_id).first()
    check, _created = SpotCheckJudgement.objects.update_or_create(
        review=review, item_id=item_id,
        defaults={"verdict": verdict, "reason": reason, "recorded_by": by, "recorded_at": now})
    check.review = review
    finding = _finding_update(check, now=now)
    audit_record(actor=by, action="reviews.spotcheck.judged", target=review.project,
                 reason=reason, data={
                     "spot_check": spot_check.pk, "item": item_id, "verdict": verdict,
                     **({"previous": previous.verdict} if previous else {}),
                     "finding": finding.pk if finding else None})
    return check


@transaction.atomic
def spotcheck_complete(*, spot_check: SpotCheck, by: User, outcome: str,
                       now: dt.datetime | None = None) -> SpotCheck:
    """Once every sampled item is re-judged, the committee member records the outcome: the
    spot-check is completed with its figures (items re-judged, findings). Audited; the
    reviewers its findings name are emailed."""
    now = now or timezone.now()
    outcome = outcome.strip()
    spot_check = SpotCheck.objects.select_for_update().get(pk=spot_check.pk)
    if spot_check.created_by_id != by.pk:
        raise ReviewError(_("Only the committee member who drew this spot-check completes it."))
    if spot_check.state != SpotCheckState.OPEN:
        raise ReviewError(_("This spot-check is already completed."))
    if not outcome:
        raise ReviewError(_("Record the outcome: what the spot-check found."))
    reviews = list(spot_check.reviews.prefetch_related("judgements"))
    sampled = sum(len(r.sample_ids) for r in reviews)
    judged = sum(len(r.judgements.all()) for r in reviews)
    if judged < sampled:
        raise ReviewError(_("Re-judge every sampled item first (%(judged)d of %(sampled)d "
                            "done).") % {"judged": judged, "sampled": sampled})
    findings = list(selectors.spotcheck_findings(spot_check))
    spot_check.state = SpotCheckState.COMPLETED
    spot_check.outcome = outcome
    spot_check.completed_at = now
    spot_check.save(update_fields=["state", "outcome", "completed_at"])
    audit_record(actor=by, action="reviews.spotcheck.completed", target=spot_check,
                 reason=outcome, data={"items": sampled, "findings": [f.pk for f in findings]})
    named: dict[int, User] = {}
    for finding in findings:
        for reviewer in finding.reviewers.all():
            named.setdefault(reviewer.pk, reviewer)
    for reviewer in named.values():
        _email(reviewer, "reviews/email/spotcheck_finding",
               {"spot_check": spot_check, "findings": [
                   f for f in findings if reviewer in f.reviewers.all()]})
    return spot_check


def _email(person: User, template_prefix: str, context: dict[str, object]) -> None:
    if person.email:
        email_send_templated(to=[person.email], template_prefix=template_prefix,
                             language=person.language,
                             context={"person": person, **context,
                                      "site_url": settings.SITE_URL.rstrip("/")})


SANCTION_ACTIONS = tuple(SanctionAction.values)


@transaction.atomic
def sanction_impose(*, reviewer: User, action: str, reason: str, finding_ids: Iterable[int],
                    by: User, reason_public: bool = False,
                    now: dt.datetime | None = None) -> Sanction:
    """On findings that name `reviewer`, a member of the expert committee warns them, suspends
    or withdraws (revokes) their reviewer credential, through certification's status service
    (audited there and emailed to the reviewer; verification shows a suspension or a
    withdrawal). The sanction links its findings and carries the reason; audited here too, and
    the reviewer is emailed how to appeal."""
    now = now or timezone.now()
    _committee_only(by)
    reason = reason.strip()
    if action not in SANCTION_ACTIONS:
        raise ReviewError(_("Choose a warning, a suspension or a withdrawal."))
    if not reason:
        raise ReviewError(_("Give the reason for the sanction: the reviewer reads it."))
    if reviewer.pk == by.pk:
        raise ReviewError(_("You cannot sanction yourself."))
    findings = list(Finding.objects.filter(pk__in=list(finding_ids), reviewers=reviewer))
    if not findings:
        raise ReviewError(_("Choose at least one finding that names this reviewer."))
    credential = selectors.reviewer_credential(reviewer)
    if credential is None:
        raise ReviewError(_("This reviewer holds no reviewer credential to sanction."))
    try:
        if action == SanctionAction.WARN:
            certification.credential_warn(credential=credential, actor=by, reason=reason)
        elif action == SanctionAction.SUSPEND:
            certification.credential_suspend(credential=credential, actor=by, reason=reason,
                                             reason_public=reason_public)
        else:
            certification.credential_revoke(credential=credential, actor=by, reason=reason,
                                            reason_public=reason_public)
    except certification.CertificationError as error:
        raise ReviewError(error.messages[0]) from error
    sanction = Sanction.objects.create(reviewer=reviewer, credential=credential, action=action,
                                       reason=reason, created_by=by, created_at=now)
    sanction.findings.set(findings)
    audit_record(actor=by, action="reviews.sanction.imposed", target=sanction, reason=reason,
                 data={"reviewer": reviewer.pk, "action": action,
                       "credential": credential.number, "findings": [f.pk for f in findings]})
    _email(reviewer, "reviews/email/sanction_imposed", {"sanction": sanction})
    return sanction


@transaction.atomic
def sanction_appeal_lodge(*, sanction: Sanction, by: User, reason: str,
                          now: dt.datetime | None = None) -> SanctionAppeal:
    """The sanctioned reviewer appeals a warning or a suspension in force, with a reason; one
    open appeal at a time. A withdrawal is final (certification's revocation) and is not
    appealed here. Audited; the expert committee is emailed."""
    now = now or timezone.now()
    reason = reason.strip()
    sanction = Sanction.objects.select_for_update().get(pk=sanction.pk)
    if sanction.reviewer_id != by.pk:
        raise ReviewError(_("Only the sanctioned reviewer appeals."))
    if sanction.action == SanctionAction.WITHDRAW:
        raise ReviewError(_("A withdrawal is final: it cannot be appealed here. Write to the "
                            "certification centre."))
    if sanction.state != SanctionState.IN_FORCE:
        raise ReviewError(_("This sanction has been reversed."))
    if not reason:
        raise ReviewError(_("Say why you appeal: the committee reads it."))
    if sanction.appeals.filter(state=AppealState.OPEN).exists():
        raise ReviewError(_("An appeal against this sanction is already under way."))
    if sanction.appeals.exists():
        raise ReviewError(_("This sanction has been appealed and the appeal resolved."))
    appeal = SanctionAppeal.objects.create(sanction=sanction, reason=reason, created_at=now)
    audit_record(actor=by, action="reviews.sanction.appealed", target=sanction, reason=reason,
                 data={"appeal": appeal.pk})
    for member in emails.expert_committee():
        _email(member, "reviews/email/sanction_appealed", {"appeal": appeal,
                                                            "sanction": sanction})
    return appeal


@transaction.atomic
def sanction_appeal_resolve(*, appeal: SanctionAppeal, by: User, upheld: bool, resolution: str,
                            now: dt.datetime | None = None) -> SanctionAppeal:
    """A member of the expert committee who did not impose the sanction resolves the appeal:
    upheld, the sanction is reversed (a suspension through certification's reinstatement; a
    warning is recorded as withdrawn) and no longer counts against the reviewer's record;
    rejected, it stays. Audited; the reviewer is emailed."""
    now = now or timezone.now()
    _committee_only(by)
    resolution = resolution.strip()
    appeal = SanctionAppeal.objects.select_for_update().get(pk=appeal.pk)
    sanction = Sanction.objects.select_for_update().select_related("reviewer").get(
        pk=appeal.sanction_id)
    if appeal.state != AppealState.OPEN:
        raise ReviewError(_("This appeal has already been resolved."))
    if sanction.created_by_id == by.pk:
        raise ReviewError(_("You imposed this sanction: another member of the expert committee "
                            "resolves the appeal."))
    if not resolution:
        raise ReviewError(_("Explain the decision to the reviewer."))
    appeal.state = AppealState.UPHELD if upheld else AppealState.REJECTED
    appeal.resolution, appeal.resolved_by, appeal.resolved_at = resolution, by, now
    appeal.save(update_fields=["state", "resolution", "resolved_by", "resolved_at"])
    if upheld:
        credential = Credential.objects.get(pk=sanction.credential_id)
        if sanction.action == SanctionAction.SUSPEND:
            try:
                certification.credential_reinstate(credential=credential, actor=by,
                                                   reason=resolution)
            except certification.CertificationError as error:
                raise ReviewError(error.messages[0]) from error
        sanction.state = SanctionState.REVERSED
        sanction.save(update_fields=["state"])
    audit_record(actor=by, action=("reviews.sanction.appeal_upheld" if upheld
                                   else "reviews.sanction.appeal_rejected"),
                 target=sanction, reason=resolution,
                 data={"appeal": appeal.pk, "action": sanction.action})
    _email(sanction.reviewer, "reviews/email/sanction_appeal_resolved",
           {"appeal": appeal, "sanction": sanction})
    return appeal
