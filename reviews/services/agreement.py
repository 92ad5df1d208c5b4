"""The integrity agreement (诚信协议): a drawn reviewer accepts it for their place, which opens
the project to them; once the whole team has, document review starts."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import audit_record, email_send_templated

from .. import selectors
from ..errors import ReviewError
from ..models import (
    AgreementAcceptance,
    AgreementVersion,
    MemberState,
    ProjectState,
    ReviewProject,
    TeamMember,
)
from . import emails
from .kpi import kpi_draw_due


def _name_key(name: str) -> str:
    """A typed name as compared: full-width folded (NFKC), spaces dropped, case ignored, so
    "ZHANG San", "zhang  san" and "张三" typed with a space all match what the account says."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def agreement_text_digest(version: AgreementVersion) -> str:
    return hashlib.sha256(f"{version.text}\n\n{version.text_en}".encode()).hexdigest()


def _team_complete(project: ReviewProject) -> bool:
    """Every place the first draw made is filled by someone who has accepted."""
    first = selectors.project_first_draw(project)
    members = selectors.team_drawn_members(project)
    return (first is not None and len(members) >= first.team_size
            and all(selectors.member_has_accepted(m) for m in members))


@transaction.atomic
def agreement_accept(*, member: TeamMember, full_name: str, no_conflict: bool,
                     ip_address: str | None, now: dt.datetime | None = None
                     ) -> AgreementAcceptance:
    """`member` accepts the current integrity agreement for their place: the full name typed
    must be their account's (Chinese or English), and they declare no conflict of interest.
    Audited and emailed to them. When the whole team has accepted, the project moves to
    document review (audited, emailed to the team and the certification admins)."""
    now = now or timezone.now()
    project = ReviewProject.objects.select_for_update().get(pk=member.project_id)
    member = TeamMember.objects.select_related("reviewer").get(pk=member.pk)
    reviewer = member.reviewer
    if member.state != MemberState.DRAWN:
        raise ReviewError(_("You are no longer on this team."))
    if AgreementAcceptance.objects.filter(member=member).exists():
        raise ReviewError(_("You have already accepted the integrity agreement for this "
                            "review."))
    if project.state != ProjectState.TEAM_DRAWN:
        raise ReviewError(_("The integrity agreement is signed while the team is being formed; "
                            "this review is past that stage."))
    version = selectors.agreement_current(now=now)
    if version is None:
        raise ReviewError(_("No integrity agreement has been published yet: ask the "
                            "certification admins."))
    if not no_conflict:
        raise ReviewError(_("Declare that you have no conflict of interest with the applicant, "
                            "or decline your place with a reason."))
    names = [n for n in (reviewer.name_zh, reviewer.name_en) if n.strip()]
    if not names:
        raise ReviewError(_("Your account has no name: add it in your profile, then sign."),
                          code="full_name")
    if _name_key(full_name) not in {_name_key(n) for n in names}:
        raise ReviewError(_("The name you typed does not match your account's name (%(names)s). "
                            "Type your full name as it is in your profile.")
                          % {"names": " / ".join(names)}, code="full_name")
    acceptance = AgreementAcceptance.objects.create(
        member=member, version=version, text_sha256=agreement_text_digest(version),
        full_name=full_name.strip(), no_conflict=True, ip_address=ip_address or None,
        accepted_at=now,
    )
    audit_record(actor=reviewer, action="reviews.agreement.accepted", target=project, data={
        "reviewer": reviewer.pk, "version": version.number, "ip": ip_address or "",
        "full_name": acceptance.full_name, "text_sha256": acceptance.text_sha256,
    })
    email_send_templated(
        to=[reviewer.email], template_prefix="reviews/email/agreement_accepted",
        language=reviewer.language,
        context={"acceptance": acceptance, "project": project, "reviewer": reviewer,
                 "site_url": settings.SITE_URL.rstrip("/")},
    )
    if _team_complete(project):
        project.state = ProjectState.DOCUMENT_REVIEW
        project.save(update_fields=["state", "updated_at"])
        audit_record(actor=None, action="reviews.project.document_review", target=project,
                     data={"team": [m.reviewer_id for m in selectors.team_drawn_members(project)]})
        emails.project_state_email(
            project=project, recipients=[*emails.team(project), *emails.certification_admins()])
        kpi_draw_due(project=project, now=now)
    return acceptance
