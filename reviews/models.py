"""The review (评审) of an organisation's contact centre: the applicant organisation's review
profile, sites and members, the project (its application), the reviewers' declared conflicts,
the draws that form its team, the team, the integrity agreement each member signs, the
judgements of the standard's items, the evidence the applicant supplies per item (files,
their versions, requests for more, and every page view), and what the team captures on site.

A project's states follow DESIGN.md ("The review"); the rules are in `reviews.services` and
`reviews.selectors` (docs/reviews.md). Models hold state only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from certification.models import CentreType
from exams.models import AppealState

from .kpis import Kpi
from .storage import evidence_storage


class Industry(models.TextChoices):
    """The one list of industries (benchmarking compares within one)."""

    TELECOM = "telecom", _("Telecom operators")
    BANKING = "banking", _("Banking")
    INSURANCE = "insurance", _("Insurance")
    GOVERNMENT_HOTLINE = "government_hotline", _("Government hotlines")
    TOURISM = "tourism", _("Tourism")
    UTILITIES = "utilities", _("Utilities")
    ECOMMERCE = "ecommerce", _("E-commerce")
    OUTSOURCER = "outsourcer", _("Outsourcers")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    VOICE = "voice", _("Voice")
    ONLINE_CHAT = "online_chat", _("Online chat")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social media / WeChat")
    VIDEO = "video", _("Video")
    SELF_SERVICE = "self_service", _("Self-service")


class OrganisationProfile(models.Model):
    """What a review needs to know about an organisation's contact centre."""

    organisation = models.OneToOneField(
        "accounts.Organisation", verbose_name=pgettext_lazy("review", "organisation"),
        on_delete=models.CASCADE, related_name="review_profile",
    )
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices)
    centre_type = models.CharField(_("centre type"), max_length=20, choices=CentreType.choices)
    seats = models.PositiveIntegerField(_("seats"))
    # A list of `Channel` values.
    channels = models.JSONField(_("channels"), default=list)
    # Consent to be named in the KPI benchmark (set by the organisation's admin); without it
    # the organisation's figures count, anonymously.
    benchmark_named = models.BooleanField(
        _("may be named in the KPI benchmark"), default=False,
        help_text=_("Without consent the organisation's figures count in its industry's "
                    "benchmark, but its name is never shown."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation review profile")
        verbose_name_plural = _("organisation review profiles")
        permissions = [
            ("view_benchmark", _("Can view the KPI benchmark of every industry")),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    def get_channels_display(self) -> list[str]:
        return [str(Channel(value).label) for value in self.channels if value in Channel.values]


class OrganisationSite(models.Model):
    """A site of the organisation's contact centre; an application's scope is some of them."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=pgettext_lazy("review", "organisation"),
        on_delete=models.CASCADE, related_name="review_sites",
    )
    name = models.CharField(_("site name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    seats = models.PositiveIntegerField(_("seats"))

    class Meta:
        verbose_name = _("contact centre site")
        verbose_name_plural = _("contact centre sites")
        ordering = ["organisation", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"],
                                               name="reviews_site_name_unique")]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Organisation admin")
    MEMBER = "member", _("Member")


class OrganisationMember(models.Model):
    """Someone who works on the organisation's applications; an admin also adds and removes
    colleagues."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=pgettext_lazy("review", "organisation"),
        on_delete=models.CASCADE, related_name="review_members",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"),
                             on_delete=models.CASCADE, related_name="organisation_memberships")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation member")
        verbose_name_plural = _("organisation members")
        ordering = ["organisation", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"],
                                               name="reviews_org_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


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
    # The names of `sites`, kept as text with the project (what a certificate states).
    scope = models.TextField(_("scope (sites)"), blank=True)
    sites = models.ManyToManyField(OrganisationSite, verbose_name=_("sites in scope"),
                                   blank=True, related_name="projects")
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
    declared_true = models.BooleanField(
        _("declared that the application is true"), default=False)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning it"), blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    # The certified centre's certificate: certification's credential, held by the organisation
    # (its number, PDF, verification and status live there).
    certificate = models.OneToOneField(
        "certification.Credential", verbose_name=_("certificate"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="review_project",
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

    # The applicant may change the application only in these states.
    EDITABLE_STATES = (ProjectState.DRAFT, ProjectState.RETURNED)

    class Meta:
        verbose_name = _("review project")
        verbose_name_plural = _("review projects")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("run_draw", _("Can run the draw of a review team")),
            ("accept_project", _("Can accept or return a submitted application")),
            ("manage_certificate",
             _("Can issue, suspend and withdraw a certified centre's certificate")),
            ("view_evidence", _("Can view the evidence of any review (the expert committee)")),
            ("decide_project", _("Can decide certification on a team's recommendation")),
        ]
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.standard_version}"

    @property
    def reference(self) -> str:
        """What the applicant quotes on a bank transfer for the review fee."""
        return f"RV{self.pk:06d}"

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


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


# --------------------------------------------------------------------------- evidence


# The kinds of evidence the applicant uploads; on-site photos and signed interviews are captured
# by the team on site (cms.models.EVIDENCE_KINDS has all five).
APPLICANT_EVIDENCE_KINDS = ("documents", "records", "data")
# The applicant adds evidence freely until document review starts; then it is frozen, and only
# items reopened by a request for more evidence take new versions, during the review.
EVIDENCE_OPEN_STATES = (ProjectState.DRAFT, ProjectState.SUBMITTED, ProjectState.RETURNED,
                        ProjectState.ACCEPTED, ProjectState.TEAM_DRAWN)
EVIDENCE_REQUEST_STATES = (ProjectState.DOCUMENT_REVIEW, ProjectState.ONSITE_REVIEW)


class EvidenceRequest(models.Model):
    """A request for more evidence (补充材料): it reopens the named items, and only those, until
    its due date."""

    project = models.ForeignKey(ReviewProject, on_delete=models.CASCADE,
                                related_name="evidence_requests")
    items = models.ManyToManyField("cms.StandardItem", verbose_name=_("items"),
                                   related_name="+")
    message = models.TextField(_("what is asked for"))
    due_on = models.DateField(_("due date"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("request for more evidence")
        verbose_name_plural = _("requests for more evidence")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.due_on}"


class EvidenceFile(models.Model):
    """One piece of evidence the applicant supplies for an item of the project's standard
    version, as one of the kinds the item expects. Its content is in its versions: the last is
    current, the earlier ones are kept."""

    project = models.ForeignKey(ReviewProject, on_delete=models.PROTECT,
                                related_name="evidence")
    item = models.ForeignKey("cms.StandardItem", verbose_name=_("item"),
                             on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of evidence"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["project", "item", "kind", "id"]
        indexes = [models.Index(fields=["project", "item"])]

    def __str__(self) -> str:
        return self.title


class RenderState(models.TextChoices):
    PENDING = "pending", _("Being prepared for viewing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be prepared")


def _evidence_original_path(version: EvidenceVersion, filename: str) -> str:
    # A random stem: names never reveal or collide, and the page images live beside it.
    extension = filename.rsplit(".", 1)[-1]
    evidence = version.evidence
    return (f"projects/{evidence.project_id}/{evidence.pk}/"
            f"v{version.number}-{uuid.uuid4().hex}.{extension}")


class EvidenceVersion(models.Model):
    """The content of an evidence file at one time. The original is only ever streamed to the
    applicant; viewers get its pages rendered once to images (`pages_prefix`) with their own
    watermark laid on each view."""

    evidence = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    original = models.FileField(_("original file"), storage=evidence_storage,
                                upload_to=_evidence_original_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(_("pages"))
    render_state = models.CharField(max_length=10, choices=RenderState.choices,
                                    default=RenderState.PENDING)
    # The request for more evidence it answers: set for every version added after the freeze.
    request = models.ForeignKey(EvidenceRequest, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="versions")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("evidence version")
        verbose_name_plural = _("evidence versions")
        ordering = ["evidence", "number"]
        constraints = [models.UniqueConstraint(fields=["evidence", "number"],
                                               name="reviews_evidence_version_unique")]

    def __str__(self) -> str:
        return f"{self.evidence} v{self.number}"

    @property
    def pages_prefix(self) -> str:
        return (self.original.name or "").rsplit(".", 1)[0]

    def page_name(self, page: int) -> str:
        """Where the base render of `page` (1-based) is kept."""
        return f"{self.pages_prefix}/page-{page:04d}.png"


class ViewChannel(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")


class EvidencePageView(models.Model):
    """One page of evidence served to one viewer: who, when, which page."""

    version = models.ForeignKey(EvidenceVersion, on_delete=models.PROTECT,
                                related_name="page_views")
    page = models.PositiveIntegerField(_("page"))
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("viewer"),
                               on_delete=models.PROTECT, related_name="+")
    viewed_at = models.DateTimeField(_("viewed at"))
    channel = models.CharField(_("through"), max_length=5, choices=ViewChannel.choices)

    class Meta:
        verbose_name = _("evidence page view")
        verbose_name_plural = _("evidence page views")
        ordering = ["-viewed_at", "-id"]
        indexes = [models.Index(fields=["version", "viewed_at"])]

    def __str__(self) -> str:
        return f"{self.viewer_id} · {self.version_id} p{self.page}"
# --------------------------------------------------------------------------- on-site records


# The team captures on-site records while it reviews: in document review (a visit to check the
# documents where they are kept) and in on-site review.
ONSITE_CAPTURE_STATES = (ProjectState.DOCUMENT_REVIEW, ProjectState.ONSITE_REVIEW)


class OnsiteKind(models.TextChoices):
    NOTE = "note", pgettext_lazy("on-site", "Note")
    PHOTO = "photo", _("Photo")
    INTERVIEW = "interview", _("Interview")


def _signature_path(record: OnsiteRecord, filename: str) -> str:
    return f"projects/{record.project_id}/onsite/signature-{uuid.uuid4().hex}.png"


class OnsiteRecord(models.Model):
    """What a member of the team captured on site for an item: a note, a photo (an
    `EvidenceFile` of kind photos, viewed like all evidence) or an interview with the
    interviewee's signature. `client_uuid` is made by the phone: a record sent twice is stored
    once. `captured_at` is the phone's clock, `received_at` the server's."""

    project = models.ForeignKey(ReviewProject, on_delete=models.PROTECT,
                                related_name="onsite_records")
    item = models.ForeignKey("cms.StandardItem", verbose_name=_("item"),
                             on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=OnsiteKind.choices)
    client_uuid = models.UUIDField(_("record id (from the phone)"), unique=True)
    captured_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("captured by"),
                                    on_delete=models.PROTECT, related_name="+")
    captured_at = models.DateTimeField(_("captured at (phone's clock)"))
    received_at = models.DateTimeField(_("received at"))
    # A note's text, a photo's caption, or what the interviewer adds to an interview.
    text = models.TextField(_("text"), blank=True)
    photo = models.OneToOneField(EvidenceFile, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="onsite_record")
    interviewee_name = models.CharField(_("interviewee's name"), max_length=100, blank=True)
    interviewee_role = models.CharField(_("interviewee's role"), max_length=100, blank=True)
    # [{"question": "...", "answer": "..."}, ...]
    answers = models.JSONField(_("questions and answers"), default=list, blank=True)
    signature = models.FileField(_("interviewee's signature"), storage=evidence_storage,
                                 upload_to=_signature_path, max_length=300, blank=True)
    signature_sha256 = models.CharField(max_length=64, blank=True)
    interviewed_at = models.DateTimeField(_("time of the interview"), null=True, blank=True)

    class Meta:
        verbose_name = _("on-site record")
        verbose_name_plural = _("on-site records")
        ordering = ["project", "item", "captured_at", "id"]
        indexes = [models.Index(fields=["project", "item"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="photo") | models.Q(photo__isnull=False),
                name="reviews_onsite_photo_has_file"),
            models.CheckConstraint(
                condition=~models.Q(kind="interview") | (
                    models.Q(interviewed_at__isnull=False) & ~models.Q(signature="")
                    & ~models.Q(interviewee_name="") & ~models.Q(interviewee_role="")),
                name="reviews_onsite_interview_complete"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.item_id} · {self.kind}"


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


class RecordedVerdict(models.Model):
    """An item's 符合/不符合 with its reason, and who recorded it when: the lead's final
    judgement for the team, and the committee's re-judgement in a spot-check."""

    verdict = models.CharField(_("judgement"), max_length=12, choices=Verdict.choices)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        abstract = True


class FinalJudgement(RecordedVerdict):
    """The team's final judgement of one item, recorded by the lead."""

    project = models.ForeignKey(ReviewProject, on_delete=models.CASCADE,
                                related_name="final_judgements")
    item = models.ForeignKey("cms.StandardItem", verbose_name=_("item"),
                             on_delete=models.PROTECT, related_name="review_final_judgements")

    class Meta:
        verbose_name = _("team's final judgement")
        verbose_name_plural = _("team's final judgements")
        constraints = [models.UniqueConstraint(fields=["project", "item"],
                                               name="reviews_final_once_per_item")]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.item_id} · {self.verdict}"


# --------------------------------------------------------------------------- KPI data


class KpiMonth(models.Model):
    """One month of one KPI as the applicant reports it for the project: the two counts the
    KPI's definition divides (`reviews.kpis.KPI_DEFINITIONS`) and their quotient in the KPI's
    unit, stored so that charts and benchmarks read it without recomputing."""

    project = models.ForeignKey(ReviewProject, on_delete=models.CASCADE,
                                related_name="kpi_months")
    # The first day of the month.
    month = models.DateField(_("month"))
    kpi = models.CharField(_("KPI"), max_length=20, choices=Kpi.choices)
    numerator = models.DecimalField(_("numerator"), max_digits=16, decimal_places=2)
    denominator = models.DecimalField(_("denominator"), max_digits=16, decimal_places=2)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("KPI month")
        verbose_name_plural = _("KPI months")
        ordering = ["project", "kpi", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "kpi"],
                                    name="reviews_kpi_month_unique"),
            models.CheckConstraint(condition=models.Q(denominator__gt=0),
                                   name="reviews_kpi_month_denominator_positive"),
        ]
        indexes = [models.Index(fields=["kpi", "month"])]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.kpi} · {self.month:%Y-%m}"


class KpiDataSet(models.Model):
    """The applicant's 12 months of KPI data for a project (the months are `KpiMonth` rows):
    the parameters the figures were counted with, who submitted them and when, and the month
    drawn to be recomputed from source records (`reviews.kpi_draw`: a pure function of the 12
    months and the stored seed)."""

    project = models.OneToOneField(ReviewProject, on_delete=models.CASCADE,
                                   related_name="kpi_data")
    service_level_seconds = models.PositiveSmallIntegerField(
        _("service-level threshold (seconds)"), default=20)
    short_abandon_seconds = models.PositiveSmallIntegerField(
        _("short-abandon threshold (seconds)"), default=5)
    fcr_window_days = models.PositiveSmallIntegerField(_("FCR window (days)"), default=7)
    # Each save of the 12 months counts one up; the figures each replaced are in the audit log
    # (`reviews.kpi.saved`, data["previous"]).
    revision = models.PositiveIntegerField(_("revision"), default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The draw of the month recomputed from source records.
    draw_seed = models.CharField(_("seed"), max_length=64, blank=True)
    draw_months = models.JSONField(_("months drawn from"), default=list)
    drawn_month = models.DateField(_("drawn month"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("KPI data set")
        verbose_name_plural = _("KPI data sets")

    def __str__(self) -> str:
        return f"{self.project_id} · r{self.revision}"


class KpiSourceKind(models.TextChoices):
    ROSTER = "roster", _("Staff roster")
    CALLS = "calls", _("Call-detail summary")


def _kpi_source_path(source: KpiSource, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1]
    return f"projects/{source.data_set.project_id}/kpi/{source.kind}-{uuid.uuid4().hex}.{extension}"


class KpiSource(models.Model):
    """A source-records file the applicant uploads for the drawn month (the staff roster, or
    the call-detail summary), kept with the counts read from it. A later upload of the same
    kind replaces it for the checks; earlier ones are kept."""

    data_set = models.ForeignKey(KpiDataSet, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("kind"), max_length=10, choices=KpiSourceKind.choices)
    month = models.DateField(_("month"))
    original = models.FileField(_("original file"), storage=evidence_storage,
                                upload_to=_kpi_source_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    # What the checks divide: e.g. {"leavers": "3", "headcount_start": "120", ...}.
    counts = models.JSONField(_("counts"), default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("KPI source records")
        verbose_name_plural = _("KPI source records")
        ordering = ["data_set", "kind", "-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.data_set_id} · {self.kind} · {self.month:%Y-%m}"


class KpiCheck(models.Model):
    """One KPI of the drawn month recomputed from source records and compared with the value
    reported: flagged when they differ by more than the tolerance."""

    data_set = models.ForeignKey(KpiDataSet, on_delete=models.CASCADE, related_name="checks")
    kpi = models.CharField(_("KPI"), max_length=20, choices=Kpi.choices)
    month = models.DateField(_("month"))
    source = models.ForeignKey(KpiSource, on_delete=models.PROTECT, related_name="checks")
    reported = models.DecimalField(_("reported"), max_digits=14, decimal_places=4)
    recomputed = models.DecimalField(_("recomputed"), max_digits=14, decimal_places=4)
    difference = models.DecimalField(_("difference"), max_digits=14, decimal_places=4)
    tolerance = models.DecimalField(_("tolerance"), max_digits=8, decimal_places=2)
    # "points": percentage points; "percent": relative to the recomputed value.
    tolerance_unit = models.CharField(_("tolerance unit"), max_length=10)
    flagged = models.BooleanField(_("mismatch"))
    checked_at = models.DateTimeField(_("checked at"))

    class Meta:
        verbose_name = _("KPI check")
        verbose_name_plural = _("KPI checks")
        ordering = ["data_set", "kpi"]
        constraints = [models.UniqueConstraint(fields=["data_set", "kpi"],
                                               name="reviews_kpi_check_once")]

    def __str__(self) -> str:
        return f"{self.data_set_id} · {self.kpi} · {'!' if self.flagged else 'ok'}"




# --------------------------------------------------------------------------- reviewers' fees


class ReviewerFee(models.Model):
    """What one reviewer is owed for their place on one project, recorded by a certification
    admin for the consulting firm that pays (the platform records, it does not pay): the days
    of document review and on site, the daily labour fee in force when it was recorded (kept,
    so a later change of `REVIEWS_DAILY_FEE` does not rewrite it), and travel costs."""

    member = models.OneToOneField(TeamMember, verbose_name=_("place on the team"),
                                  on_delete=models.PROTECT, related_name="fee")
    # The day the work ended (the last on-site day, or the end of document review): which
    # statement period the record falls in.
    work_ended_on = models.DateField(_("work ended on"))
    document_days = models.DecimalField(_("document-review days"), max_digits=4,
                                        decimal_places=1)
    onsite_days = models.DecimalField(_("on-site days"), max_digits=4, decimal_places=1)
    daily_fee = models.DecimalField(_("daily labour fee (CNY)"), max_digits=10,
                                    decimal_places=2)
    travel_amount = models.DecimalField(_("travel costs (CNY)"), max_digits=10,
                                        decimal_places=2, default=0)
    travel_note = models.CharField(_("travel costs: what for"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("reviewer's fee")
        verbose_name_plural = _("reviewers' fees")
        ordering = ["work_ended_on", "id"]
        permissions = [("record_fees", _("Can record reviewers' days, fees and travel costs"))]
        indexes = [models.Index(fields=["work_ended_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(document_days__gte=0, onsite_days__gte=0, daily_fee__gte=0,
                                   travel_amount__gte=0),
                name="reviews_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.work_ended_on}"




# --------------------------------------------------------------------------- spot-checks


class SpotCheckState(models.TextChoices):
    OPEN = "open", _("Re-judging")
    COMPLETED = "completed", _("Completed")


class SpotCheck(models.Model):
    """The expert committee's spot-check (抽查): decided reviews drawn at random, with
    everything needed to recompute the draw (the frozen pool of project ids, the seed, the
    rate and minimum; `reviews/spotcheck.py`). The committee member who draws it re-judges the
    sampled items and completes it."""

    pool = models.JSONField(_("frozen pool (project ids)"))
    exclusions = models.JSONField(_("left out of the pool, with reasons"), default=dict)
    seed = models.CharField(_("seed"), max_length=64)
    rate = models.PositiveSmallIntegerField(_("reviews drawn (%)"))
    minimum = models.PositiveSmallIntegerField(_("at least (reviews)"))
    item_rate = models.PositiveSmallIntegerField(_("items per module (%)"))
    item_minimum = models.PositiveSmallIntegerField(_("at least (items per module)"))
    selected = models.JSONField(_("reviews drawn (project ids)"))
    state = models.CharField(_("state"), max_length=10, choices=SpotCheckState.choices,
                             default=SpotCheckState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drawn by"),
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("drawn at"))
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("spot-check")
        verbose_name_plural = _("spot-checks")
        ordering = ["-created_at", "-id"]
        permissions = [("spot_check", _("Can draw spot-checks, re-judge reviews and sanction "
                                        "reviewers (the expert committee)"))]

    def __str__(self) -> str:
        return _("Spot-check %(number)s") % {"number": self.pk}


class SpotCheckReview(models.Model):
    """One drawn review of a spot-check: its items per module as frozen at the draw (module
    number → item ids, the standard's order) and the seeded sample of them."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="reviews")
    project = models.ForeignKey(ReviewProject, on_delete=models.PROTECT,
                                related_name="spot_checks")
    modules = models.JSONField(_("items per module (frozen)"))
    sample = models.JSONField(_("items re-judged per module"))

    class Meta:
        verbose_name = _("spot-checked review")
        verbose_name_plural = _("spot-checked reviews")
        ordering = ["spot_check", "project_id"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "project"],
                                               name="reviews_spotcheck_project_once")]

    def __str__(self) -> str:
        return f"{self.spot_check_id} · {self.project_id}"

    @property
    def sample_ids(self) -> list[int]:
        return [item for items in self.sample.values() for item in items]


class SpotCheckJudgement(RecordedVerdict):
    """The committee member's re-judgement of a sampled item."""

    review = models.ForeignKey(SpotCheckReview, on_delete=models.CASCADE,
                               related_name="judgements")
    item = models.ForeignKey("cms.StandardItem", verbose_name=_("item"),
                             on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("spot-check judgement")
        verbose_name_plural = _("spot-check judgements")
        constraints = [models.UniqueConstraint(fields=["review", "item"],
                                               name="reviews_spotcheck_judgement_once")]

    def __str__(self) -> str:
        return f"{self.review_id} · {self.item_id} · {self.verdict}"


class Finding(models.Model):
    """A disagreement found by a spot-check: the committee's re-judgement of an item differs
    from the team's final judgement, or from a reviewer's own. It names the reviewers
    concerned (those whose verdict differs) and carries the committee's reason."""

    judgement = models.OneToOneField(SpotCheckJudgement, on_delete=models.CASCADE,
                                     related_name="finding")
    final_verdict = models.CharField(_("team's final judgement"), max_length=12,
                                     choices=Verdict.choices, blank=True)
    disagrees_with_final = models.BooleanField(_("disagrees with the team's final judgement"))
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL,
                                       verbose_name=_("reviewers concerned"),
                                       related_name="review_findings")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("spot-check finding")
        verbose_name_plural = _("spot-check findings")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return _("Finding %(number)s") % {"number": self.pk}


class SanctionAction(models.TextChoices):
    WARN = "warn", _("Warning")
    SUSPEND = "suspend", _("Suspension")
    WITHDRAW = "withdraw", _("Withdrawal of the credential")


class SanctionState(models.TextChoices):
    IN_FORCE = "in_force", _("In force")
    REVERSED = "reversed", _("Reversed on appeal")


class Sanction(models.Model):
    """The committee's sanction of a reviewer on findings: a warning, a suspension or the
    withdrawal of their reviewer credential, done through certification's status service."""

    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"),
                                 on_delete=models.PROTECT, related_name="review_sanctions")
    credential = models.ForeignKey("certification.Credential", verbose_name=_("credential"),
                                   on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("sanction"), max_length=10, choices=SanctionAction.choices)
    reason = models.TextField(_("reason"))
    findings = models.ManyToManyField(Finding, verbose_name=_("findings"),
                                      related_name="sanctions")
    state = models.CharField(_("state"), max_length=10, choices=SanctionState.choices,
                             default=SanctionState.IN_FORCE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("imposed at"))

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.get_action_display()}"


class SanctionAppeal(models.Model):
    """The sanctioned reviewer's appeal, resolved by the expert committee like an exam
    appeal: upheld (the sanction is reversed) or rejected (it stays)."""

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=AppealState.choices,
                             default=AppealState.OPEN)
    created_at = models.DateTimeField(_("appealed at"))
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanction appeal")
        verbose_name_plural = _("sanction appeals")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["sanction"],
                                               condition=models.Q(state="open"),
                                               name="reviews_one_open_sanction_appeal")]

    def __str__(self) -> str:
        return f"{self.sanction} ({self.get_state_display()})"
