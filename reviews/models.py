"""The review (评审) of an organisation's contact centre: the project, the reviewers' declared
conflicts, the draws that form its team, and the team.

A project's states follow DESIGN.md ("The review"); this part of the app builds the draw
(`reviews.selectors.eligible_pool`, `reviews.draw`, `reviews.services`). Models hold state only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProjectState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("review", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("review", "Submitted")
    RETURNED = "returned", pgettext_lazy("review", "Returned to the applicant")
    ACCEPTED = "accepted", pgettext_lazy("review", "Accepted")
    TEAM_DRAWN = "team_drawn", _("Team drawn")
    DOCUMENT_REVIEW = "document_review", _("Document review")
    ONSITE_REVIEW = "onsite_review", _("On-site review")
    CONSOLIDATED = "consolidated", _("Consolidated")
    CERTIFIED = "certified", _("Decided: certified")
    NOT_CERTIFIED = "not_certified", _("Decided: not certified")
    CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")


# The states in which the committee has decided: the project counts as a completed review for
# each member of its team.
DECIDED_STATES = (ProjectState.CERTIFIED, ProjectState.NOT_CERTIFIED,
                  ProjectState.CERTIFICATE_ISSUED)


class ReviewProject(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=pgettext_lazy("review", "applicant organisation"),
        on_delete=models.PROTECT, related_name="review_projects",
    )
    standard_version = models.ForeignKey(
        "cms.StandardVersionPage", verbose_name=_("standard version"),
        on_delete=models.PROTECT, related_name="+",
    )
    scope = models.TextField(_("scope (sites)"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=ProjectState.choices,
                             default=ProjectState.DRAFT)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinators who prepared the application"),
        blank=True, related_name="review_projects_prepared",
    )
    consulting_firm = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("consulting firm that prepared the application"),
        null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    # The certified centre's certificate: certification's credential, held by the organisation
    # (its number, PDF, verification and status live there).
    certificate = models.OneToOneField(
        "certification.Credential", verbose_name=_("certificate"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="review_project",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review project")
        verbose_name_plural = _("review projects")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("run_draw", _("Can run the draw of a review team")),
            ("manage_certificate",
             _("Can issue, suspend and withdraw a certified centre's certificate")),
        ]
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.standard_version}"


class ReviewerDeclaredConflict(models.Model):
    """A reviewer says they must not review `organisation` (nor its conflict set)."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"),
                                 on_delete=models.CASCADE, related_name="declared_conflicts")
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=pgettext_lazy("review", "organisation"),
        on_delete=models.CASCADE, related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [models.UniqueConstraint(fields=["reviewer", "organisation"],
                                               name="reviews_declared_conflict_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} ≠ {self.organisation}"


class DrawKind(models.TextChoices):
    DRAW = "draw", _("Draw")
    REDRAW = "redraw", _("Redraw after a decline")


class Draw(models.Model):
    """One draw, with everything needed to recompute it: the frozen pool (ordered reviewer
    ids), those qualified to lead, those left out of a redraw, the seed and the team size. The
    result is `reviews.draw.draw_team` of these, stored to be compared (`draw_verify`)."""

    project = models.ForeignKey(ReviewProject, on_delete=models.PROTECT, related_name="draws")
    kind = models.CharField(_("kind"), max_length=10, choices=DrawKind.choices)
    pool = models.JSONField(_("frozen pool (reviewer ids)"))
    qualified = models.JSONField(_("qualified to lead (reviewer ids)"))
    excluded = models.JSONField(_("left out of a redraw (reviewer ids)"), default=list)
    exclusions = models.JSONField(_("excluded from the pool, with reasons"), default=dict)
    seed = models.CharField(_("seed"), max_length=64)
    team_size = models.PositiveSmallIntegerField(_("team size"))
    draws_lead = models.BooleanField(_("draws the lead"), default=True)
    lead_rule = models.CharField(_("lead rule"), max_length=100)
    team = models.JSONField(_("team (reviewer ids)"))
    lead_id = models.IntegerField(_("lead (reviewer id)"), null=True, blank=True)
    reason = models.TextField(_("reason for the redraw"), blank=True)
    replaces = models.ForeignKey("TeamMember", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        ordering = ["created_at", "id"]
        permissions = [("verify_draw", _("Can verify a draw"))]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Lead reviewer")
    MEMBER = "member", _("Team member")


class MemberState(models.TextChoices):
    DRAWN = "drawn", _("Drawn")
    DECLINED = "declined", _("Declined")
    REPLACED = "replaced", _("Replaced")


class TeamMember(models.Model):
    project = models.ForeignKey(ReviewProject, on_delete=models.CASCADE, related_name="members")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"),
                                 on_delete=models.PROTECT, related_name="review_memberships")
    role = models.CharField(_("role"), max_length=10, choices=TeamRole.choices)
    state = models.CharField(_("state"), max_length=10, choices=MemberState.choices,
                             default=MemberState.DRAWN)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["project", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "reviewer"],
                                               name="reviews_member_once_per_project")]
        indexes = [models.Index(fields=["reviewer", "state"])]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.get_role_display()}"
