"""The review (评审) of an organisation's contact centre: the project, the reviewers' declared
conflicts, the draws that form its team, the team, the integrity agreement each member signs,
and the judgements of the standard's items.

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


class Recommendation(models.TextChoices):
    CERTIFY = "certify", _("Certify")
    NOT_CERTIFY = "not_certify", _("Do not certify")


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
    # The lead's consolidation, then the committee's decision (reviews/services/judgement.py,
    # decision.py).
    recommendation = models.CharField(_("team's recommendation"), max_length=20,
                                      choices=Recommendation.choices, blank=True)
    consolidated_at = models.DateTimeField(_("consolidated at"), null=True, blank=True)
    consolidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("consolidated by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decision_accepts = models.BooleanField(_("committee accepts the recommendation"), null=True,
                                           blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review project")
        verbose_name_plural = _("review projects")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("run_draw", _("Can run the draw of a review team")),
            ("decide_project", _("Can decide certification on a team's recommendation")),
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


# --------------------------------------------------------------------------- the agreement


class AgreementVersion(models.Model):
    """One version of the integrity agreement (诚信协议). The current one is the latest
    published; a version someone has accepted keeps its text (the admin makes it read-only and
    each acceptance stores a digest of the text accepted)."""

    number = models.PositiveSmallIntegerField(_("version number"), unique=True)
    text = models.TextField(_("text (Chinese)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True,
        help_text=_("Empty while a draft; the latest published version is the one reviewers "
                    "sign."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("integrity agreement version")
        verbose_name_plural = _("integrity agreement versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return _("Integrity agreement, version %(number)s") % {"number": self.number}


class AgreementAcceptance(models.Model):
    """A drawn reviewer's acceptance of the agreement for their place on a project: the name
    they typed, when, from where, which version (and a digest of its text), and their
    declaration that they have no conflict of interest."""

    member = models.OneToOneField(TeamMember, on_delete=models.PROTECT,
                                  related_name="agreement")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT,
                                related_name="acceptances")
    text_sha256 = models.CharField(_("digest of the text accepted"), max_length=64)
    full_name = models.CharField(_("full name typed"), max_length=100)
    no_conflict = models.BooleanField(_("declared no conflict of interest"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"))

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")

    def __str__(self) -> str:
        return f"{self.full_name} · {self.version.number} · {self.accepted_at:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------- judgement


class Verdict(models.TextChoices):
    CONFORMS = "conforms", _("Conforms")
    NOT_CONFORMS = "not_conforms", _("Does not conform")


class Judgement(models.Model):
    """A reviewer's own judgement of one item of the project's standard version."""

    member = models.ForeignKey(TeamMember, on_delete=models.CASCADE, related_name="judgements")
    item = models.ForeignKey("cms.StandardItem", verbose_name=_("item"),
                             on_delete=models.PROTECT, related_name="review_judgements")
    verdict = models.CharField(_("judgement"), max_length=12, choices=Verdict.choices)
    reason = models.TextField(_("reason"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("reviewer's judgement")
        verbose_name_plural = _("reviewers' judgements")
        constraints = [models.UniqueConstraint(fields=["member", "item"],
                                               name="reviews_judgement_once_per_item")]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.item_id} · {self.verdict}"


class FinalJudgement(models.Model):
    """The team's final judgement of one item, recorded by the lead."""

    project = models.ForeignKey(ReviewProject, on_delete=models.CASCADE,
                                related_name="final_judgements")
    item = models.ForeignKey("cms.StandardItem", verbose_name=_("item"),
                             on_delete=models.PROTECT, related_name="review_final_judgements")
    verdict = models.CharField(_("judgement"), max_length=12, choices=Verdict.choices)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("team's final judgement")
        verbose_name_plural = _("team's final judgements")
        constraints = [models.UniqueConstraint(fields=["project", "item"],
                                               name="reviews_final_once_per_item")]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.item_id} · {self.verdict}"
