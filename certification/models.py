"""Credentials, their numbering and status; reviewer applications with work history; ranking
weights; affiliations between organisations (conflicts of interest).

Business rules live in `services.py`; these models only hold state and derived read-only facts.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def token_new() -> str:
    """The secret part of a verification URL: 24 random bytes (192 bits), URL-safe."""
    return secrets.token_urlsafe(24)


class RenewalMethod(models.TextChoices):
    CPD = "cpd", _("Continuing education hours")
    REEXAM = "reexam", _("Re-examination")
    EITHER = "either", _("Continuing education hours or re-examination")
    # A certified centre's certificate: a new review issues a new certificate.
    REVIEW = "review", _("A new review")


class CredentialType(models.Model):
    """Registered coordinator, registered reviewer (held by people) or certified contact centre
    (held by an organisation): how long it lasts, how it is numbered and renewed. The rows are
    created by data migrations and edited in the admin."""

    COORDINATOR = "coordinator"
    REVIEWER = "reviewer"
    CERTIFIED_CENTRE = "certified-centre"

    slug = models.SlugField(_("identifier"), unique=True)
    name = models.CharField(pgettext_lazy("certification", "name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    number_code = models.CharField(
        _("number code"),
        max_length=4,
        unique=True,
        help_text=_("The letter in the number, e.g. C in CCSO-C-2026-000123."),
    )
    validity_years = models.PositiveSmallIntegerField(
        _("validity (years)"), default=3, validators=[MinValueValidator(1)]
    )
    renewal_method = models.CharField(
        _("renewal by"), max_length=10, choices=RenewalMethod.choices, default=RenewalMethod.EITHER
    )
    cpd_hours_required = models.DecimalField(
        _("continuing education hours required"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("40.0"),
        help_text=_("Hours completed since the last issue or renewal that allow a renewal."),
    )
    role = models.CharField(
        _("role granted"), max_length=30, blank=True,
        help_text=_("Role slug the holder receives (none for an organisation's certificate)."),
    )

    class Meta:
        verbose_name = _("credential type")
        verbose_name_plural = _("credential types")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def renews_by_cpd(self) -> bool:
        return self.renewal_method in (RenewalMethod.CPD, RenewalMethod.EITHER)

    @property
    def renews_by_reexam(self) -> bool:
        return self.renewal_method in (RenewalMethod.REEXAM, RenewalMethod.EITHER)


class CredentialNumberCounter(models.Model):
    """The last number handed out per type and year; locked with SELECT ... FOR UPDATE."""

    credential_type = models.ForeignKey(CredentialType, on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["credential_type", "year"], name="certification_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.credential_type_id}/{self.year}: {self.last_value}"


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")


# What a certification admin may do to a credential in each status (the status services allow
# the same; tests/certification/test_status_confirmations.py checks they agree). Revoked is final.
STATUS_ACTIONS_FROM: dict[str, tuple[str, ...]] = {
    CredentialStatus.ACTIVE: ("suspend", "revoke"),
    CredentialStatus.SUSPENDED: ("reinstate", "revoke"),
    CredentialStatus.REVOKED: (),
}


class LiveStatus(models.TextChoices):
    """What verification shows: the stored status, or expired when an active one is past date."""

    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Credential(models.Model):
    credential_type = models.ForeignKey(
        CredentialType, verbose_name=pgettext_lazy("certification", "type"),
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    # Held by a person (coordinator, reviewer) or by an organisation (a certified centre):
    # exactly one of the two.
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=pgettext_lazy("certification", "holding organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",
    )
    # What an organisation's certificate certifies, as printed: captured when it is issued so
    # that the certificate keeps saying what was reviewed.
    scope = models.TextField(_("scope"), blank=True)
    standard_title = models.CharField(_("standard version"), max_length=300, blank=True)
    number = models.CharField(_("number"), max_length=32, unique=True)
    token = models.CharField(_("verification token"), max_length=64, unique=True, default=token_new)
    source_key = models.CharField(
        _("source"),
        max_length=100,
        unique=True,
        help_text=_("What this credential was issued for, e.g. exams.attempt:42 (one credential "
                    "per source)."),
    )
    issued_on = models.DateField(pgettext_lazy("certification", "issued on"))
    expires_on = models.DateField(_("expires on"))
    exam_score = models.DecimalField(
        _("exam score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CredentialStatus.choices,
        default=CredentialStatus.ACTIVE,
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_reason = models.TextField(_("reason for the status"), blank=True)
    status_reason_public = models.BooleanField(
        _("show the reason on verification"), default=False
    )
    # The names as printed on the PDF: when the profile differs, the PDF is regenerated.
    printed_name_zh = models.CharField(_("printed Chinese name"), max_length=50, blank=True)
    printed_name_en = models.CharField(_("printed English name"), max_length=100, blank=True)
    pdf = models.FileField(_("certificate PDF"), upload_to="certificates/%Y/", blank=True)
    pdf_generated_at = models.DateTimeField(_("PDF generated at"), null=True, blank=True)
    registry_listed = models.BooleanField(
        _("listed in the public registry"),
        default=False,
        help_text=_("The holder chooses whether to appear in the public registry."),
    )
    reminder_90_sent_for = models.DateField(null=True, blank=True, editable=False)
    reminder_30_sent_for = models.DateField(null=True, blank=True, editable=False)
    # Open Badges 3.0 (certification/openbadges/): the credential's position in the revocation
    # and suspension Bitstring Status Lists, allocated once at random, and the salt of the
    # holder's hashed email in the badge.
    status_list_index = models.PositiveIntegerField(null=True, blank=True, unique=True,
                                                    editable=False)
    identity_salt = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        ordering = ["-issued_on", "-id"]
        permissions = [
            ("change_credential_status", _("Can suspend, reinstate or revoke credentials")),
            ("rank_reviewer_candidates", _("Can rank and promote reviewer candidates")),
        ]
        indexes = [models.Index(fields=["credential_type", "status", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(holder__isnull=False, organisation__isnull=True)
                | models.Q(holder__isnull=True, organisation__isnull=False),
                name="certification_credential_one_holder",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def held_by_organisation(self) -> bool:
        return self.organisation_id is not None

    def holder_names(self) -> tuple[str, str]:
        """The (Chinese, English) names the certificate prints now: the person's, or the
        organisation's."""
        if self.organisation_id is not None:
            assert self.organisation is not None
            return self.organisation.name, self.organisation.name_en
        assert self.holder is not None
        return self.holder.name_zh, self.holder.name_en

    @property
    def holder_display(self) -> str:
        """Who holds it, for staff lists: the person's display name, or the organisation."""
        if self.organisation_id is not None:
            return str(self.organisation)
        return self.holder.display_name if self.holder is not None else ""

    def live_status(self, today: dt.date | None = None) -> str:
        if self.status != CredentialStatus.ACTIVE:
            return self.status
        today = today or timezone.localdate()
        return LiveStatus.EXPIRED if self.expires_on < today else LiveStatus.ACTIVE

    @property
    def status_actions(self) -> tuple[str, ...]:
        """The status changes open to this credential now (never to the status it has)."""
        return STATUS_ACTIONS_FROM[self.status]

    def get_live_status_display(self) -> str:
        return str(LiveStatus(self.live_status()).label)

    @property
    def is_valid(self) -> bool:
        return self.live_status() == LiveStatus.ACTIVE

    def verification_path(self) -> str:
        from django.urls import reverse

        return reverse(
            "certification:verify_token", kwargs={"number": self.number, "token": self.token}
        )

    def verification_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + self.verification_path()


class CredentialRenewal(models.Model):
    """One extension of a credential's expiry (by hours or by passing the exam again)."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="renewals")
    method = models.CharField(max_length=10, choices=RenewalMethod.choices)
    source_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    previous_expires_on = models.DateField()
    new_expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.credential_id}: {self.previous_expires_on} -> {self.new_expires_on}"


class EducationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("continuing education", "Awaiting review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def _evidence_upload_to(record: ContinuingEducation, filename: str) -> str:
    """An unguessable name: evidence is served only through a view that checks who asks."""
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"education/{secrets.token_hex(16)}.{extension}"


class ContinuingEducation(models.Model):
    """Hours of continuing education a holder records towards renewal, with evidence; only
    hours a certification admin approved count."""

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="education_records"
    )
    title = models.CharField(_("activity"), max_length=200)
    provider = models.CharField(pgettext_lazy("certification", "provider"), max_length=200,
                                blank=True)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("200"))],
    )
    evidence = models.FileField(_("evidence"), upload_to=_evidence_upload_to, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EducationStatus.choices,
                              default=EducationStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("continuing education record")
        verbose_name_plural = _("continuing education records")
        ordering = ["-completed_on"]
        permissions = [
            ("review_education", _("Can approve or reject continuing education hours")),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.hours})"


class AffiliationKind(models.TextChoices):
    PARENT = "parent", _("is the parent of")
    SUBSIDIARY = "subsidiary", _("is a subsidiary of")
    PARTNER = "partner", _("is a partner of")


class OrganisationAffiliation(models.Model):
    """`organisation` <kind> `other`: e.g. A is the parent of B. Read symmetrically; parent and
    subsidiary links chain into corporate groups (see selectors.organisations_conflicting_with)."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=pgettext_lazy("certification", "organisation"),
        on_delete=models.CASCADE,
        related_name="affiliations_from",
    )
    kind = models.CharField(_("relation"), max_length=12, choices=AffiliationKind.choices)
    other = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("other organisation"),
        on_delete=models.CASCADE,
        related_name="affiliations_to",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "other"], name="certification_affiliation_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(organisation=models.F("other")),
                name="certification_affiliation_not_self",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_kind_display()} {self.other}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("certification", "Pending")
    PROMOTED = "promoted", _("Promoted")
    DECLINED = "declined", _("Declined")


class ReviewerApplication(models.Model):
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="reviewer_applications",
    )
    coordinator_credential = models.ForeignKey(
        Credential,
        verbose_name=_("coordinator credential"),
        on_delete=models.PROTECT,
        related_name="reviewer_applications",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    attested = models.BooleanField(_("confirmed true and complete"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    reviewer_credential = models.OneToOneField(
        Credential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("reviewer application")
        verbose_name_plural = _("reviewer applications")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=models.Q(status="pending"),
                name="certification_one_pending_application",
            ),
            models.CheckConstraint(
                condition=models.Q(attested=True), name="certification_application_attested"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant} ({self.get_status_display()})"


class CentreType(models.TextChoices):
    IN_HOUSE = "in_house", _("In-house")
    OUTSOURCED = "outsourced", _("Outsourced")
    HOSTED = "hosted", _("Hosted")


class ManagementLevel(models.IntegerChoices):
    AGENT = 0, _("Agent or specialist")
    TEAM_LEADER = 1, _("Team leader")
    SUPERVISOR = 2, _("Supervisor")
    MANAGER = 3, _("Centre manager")
    DIRECTOR = 4, _("Director or above")


class WorkPosition(models.Model):
    application = models.ForeignKey(
        ReviewerApplication, on_delete=models.CASCADE, related_name="positions"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=pgettext_lazy("certification", "organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True,
        help_text=_("Leave empty if this is your current position."),
    )
    centre_type = models.CharField(_("contact-centre type"), max_length=12,
                                   choices=CentreType.choices)
    seats_managed = models.PositiveIntegerField(_("seats managed"), default=0)
    management_level = models.PositiveSmallIntegerField(
        _("management level"), choices=ManagementLevel.choices
    )

    class Meta:
        verbose_name = pgettext_lazy("certification", "position")
        verbose_name_plural = _("positions")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="certification_position_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.role}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class ReviewExperience(models.Model):
    application = models.ForeignKey(
        ReviewerApplication, on_delete=models.CASCADE, related_name="reviews"
    )
    title = models.CharField(_("review or audit"), max_length=200)
    organisation_name = models.CharField(_("organisation reviewed"), max_length=200)
    role = models.CharField(_("your role"), max_length=100)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )

    class Meta:
        verbose_name = _("review experience")
        verbose_name_plural = _("review experience")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class RankingWeights(models.Model):
    """The single row of weights for ranking reviewer candidates (edited by certification
    admins)."""

    exam_weight = models.DecimalField(_("weight: exam score"), max_digits=5, decimal_places=2,
                                      default=Decimal("40"), validators=[MinValueValidator(0)])
    years_weight = models.DecimalField(_("weight: years in operations"), max_digits=5,
                                       decimal_places=2, default=Decimal("30"),
                                       validators=[MinValueValidator(0)])
    management_weight = models.DecimalField(_("weight: management level"), max_digits=5,
                                            decimal_places=2, default=Decimal("20"),
                                            validators=[MinValueValidator(0)])
    review_weight = models.DecimalField(_("weight: review experience"), max_digits=5,
                                        decimal_places=2, default=Decimal("10"),
                                        validators=[MinValueValidator(0)])
    years_cap = models.PositiveSmallIntegerField(
        _("years for full marks"), default=10, validators=[MinValueValidator(1)]
    )
    reviews_cap = models.PositiveSmallIntegerField(
        _("reviews for full marks"), default=5, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ranking weights")
        verbose_name_plural = _("ranking weights")

    def __str__(self) -> str:
        return str(_("ranking weights"))


class IssuerSigningKey(models.Model):
    """An Open Badges signing key generated on this installation (`make run`, the demo, tests).
    Production reads its keys from `CCSO_OB_SIGNING_KEYS` instead and never uses these rows.
    A rotated key keeps its public half (published in the issuer's DID document, so earlier
    badges still verify) and loses its private half."""

    key_id = models.CharField(max_length=40, unique=True)
    private_key_multibase = models.CharField(max_length=60, blank=True)
    public_key_multibase = models.CharField(max_length=60)
    current = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("badge signing key")
        verbose_name_plural = _("badge signing keys")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["current"], condition=models.Q(current=True),
                                    name="certification_one_current_signing_key")
        ]

    def __str__(self) -> str:
        return self.key_id
