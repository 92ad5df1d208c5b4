"""Courses, cohorts, enrolment, payment and attendance.

Exam eligibility: a person is eligible for a course's exam once one of their enrolments in a
cohort of that course is COMPLETED (all three days attended, or a staff-recorded exception with
a reason). Read it through `lms.selectors.course_completed`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.models import localized

COURSE_DAYS = 3
ZERO = Decimal("0.00")
# How a payment was made (Payment.method), for people to read: one label per method.
METHOD_LABELS = {
    "card": _("Card"),
    "alipay": _("Alipay"),
    "wechat_pay": _("WeChat Pay"),
    "bank": _("Bank transfer"),
}
# A payment whose method is not known yet is named by its provider: a bank transfer can only be
# the "bank" method; a Stripe payment's method is known once Stripe reports it.
PROVIDER_LABELS = {"bank_transfer": METHOD_LABELS["bank"], "stripe": _("Stripe")}


def method_label(*, method: str, provider: str) -> str:
    """How a payment was (or is being) made, for people to read."""
    label = METHOD_LABELS.get(method) if method else PROVIDER_LABELS.get(provider)
    return str(label) if label is not None else (method or provider)


class Course(models.Model):
    """A course such as the CCSO registered-coordinator training. The price is the default
    for its cohorts; the exam and certificate are included in it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("English description"), blank=True)
    price = models.DecimalField(
        _("price (CNY)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(ZERO)],
        help_text=_("Default price of a cohort; exam and certificate included."),
    )
    exam_included = models.BooleanField(
        _("exam included"),
        default=True,
        help_text=_("Completing the course makes the trainee eligible for its exam."),
    )
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title

    @property
    def display_title(self) -> str:
        """The English title on English pages when there is one."""
        return str(localized(self, "title"))


class Cohort(models.Model):
    """One run of a course: three dated days, a place (or an online link), seats and a price."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    class Language(models.TextChoices):
        ZH = "zh-hans", _("Chinese")
        EN = "en", _("English")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="cohorts"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200, help_text=_("E.g. 2026年12月 北京班"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    day_1 = models.DateField(_("day 1"))
    day_2 = models.DateField(_("day 2"))
    day_3 = models.DateField(_("day 3"))
    starts_at_time = models.TimeField(_("daily start"), default=datetime.time(9, 0))
    ends_at_time = models.TimeField(_("daily end"), default=datetime.time(17, 0))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ZH
    )
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    price = models.DecimalField(
        _("price (CNY)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    enrolment_deadline = models.DateTimeField(_("enrolment deadline"))
    full_refund_days = models.PositiveIntegerField(
        _("full refund until (days before day 1)"), default=14
    )
    partial_refund_days = models.PositiveIntegerField(
        _("partial refund until (days before day 1)"), default=7
    )
    partial_refund_percent = models.PositiveIntegerField(
        _("partial refund (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    cancellation_policy = models.TextField(
        _("further cancellation terms"),
        blank=True,
        help_text=_("Shown to trainees after the refund rule, which the page states from the "
                    "figures above (they are what the system applies): only what the figures do "
                    "not say, such as sending a colleague instead."),
    )
    cancelled_reason = models.TextField(_("reason for cancellation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["day_1", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(day_1__lt=models.F("day_2")) & Q(day_2__lt=models.F("day_3")),
                name="lms_cohort_days_in_order",
            ),
            models.CheckConstraint(
                condition=Q(partial_refund_days__lte=models.F("full_refund_days")),
                name="lms_cohort_refund_days_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} · {self.title}"

    @property
    def days(self) -> list[datetime.date]:
        return [self.day_1, self.day_2, self.day_3]

    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.day_1, self.starts_at_time))


class Enrolment(models.Model):
    """A person's place in a cohort.

    pending_payment → confirmed → completed; or cancelled / refunded / waitlisted. A pending
    enrolment holds a seat until `hold_expires_at`. Services change `state`, never `save()`.
    """

    class State(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Pending payment")
        CONFIRMED = "confirmed", _("Confirmed")
        COMPLETED = "completed", _("Completed")
        WAITLISTED = "waitlisted", _("Waitlisted")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class CancelReason(models.TextChoices):
        EXPIRED = "expired", _("Seat hold expired unpaid")
        TRAINEE = "trainee", _("Cancelled by the trainee")
        STAFF = "staff", _("Cancelled by staff")
        COHORT_CANCELLED = "cohort_cancelled", _("The cohort was cancelled")
        PAYMENT_UNUSABLE = "payment_unusable", _("Paid when no seat was left")

    ACTIVE_STATES = (
        State.PENDING_PAYMENT,
        State.CONFIRMED,
        State.COMPLETED,
        State.WAITLISTED,
    )
    SEATED_STATES = (State.CONFIRMED, State.COMPLETED)
    CANCELLABLE_STATES = (State.PENDING_PAYMENT, State.WAITLISTED, State.CONFIRMED)

    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), on_delete=models.PROTECT, related_name="enrolments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING_PAYMENT,
        db_index=True,
    )
    price = models.DecimalField(_("price (CNY)"), max_digits=10, decimal_places=2)
    hold_expires_at = models.DateTimeField(
        _("seat held until"), null=True, blank=True, db_index=True
    )
    reference = models.CharField(
        _("payment reference"),
        max_length=20,
        unique=True,
        help_text=_("Quoted on a bank transfer so the payment can be matched."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(
        _("why cancelled"), max_length=20, choices=CancelReason.choices, blank=True
    )
    waitlist_offered_at = models.DateTimeField(_("waitlist offer sent"), null=True, blank=True)
    completion_exception = models.TextField(
        _("completion exception"),
        blank=True,
        help_text=_("Why staff completed this enrolment without all days attended."),
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                condition=Q(
                    state__in=["pending_payment", "confirmed", "completed", "waitlisted"]
                ),
                name="lms_enrolment_one_active_per_cohort",
            )
        ]
        permissions = [
            ("manage_enrolments", _("Can confirm, cancel and complete enrolments")),
            ("mark_attendance", _("Can mark attendance")),
            ("view_dashboard", _("Can view the training dashboard")),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.user} · {self.cohort}"

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES

    @property
    def is_cancellable(self) -> bool:
        return self.state in self.CANCELLABLE_STATES


# A payment (and its fapiao details) is for exactly one purchase: a course seat (the
# enrolment) or a purchase of a kind registered in `lms.purchases` (kind and key).
ONE_PURCHASE = (
    Q(enrolment__isnull=False, purchase_kind="", purchase_key="")
    | (Q(enrolment__isnull=True) & ~Q(purchase_kind="") & ~Q(purchase_key=""))
)


class FapiaoRequest(models.Model):
    """The invoice (发票) details a company needs to pay by bank transfer (对公转账)."""

    # For a course seat, its enrolment; for another purchase (`lms.purchases`), its kind and key.
    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="fapiao",
        null=True, blank=True,
    )
    purchase_kind = models.CharField(_("purchase kind"), max_length=40, blank=True)
    purchase_key = models.CharField(_("purchase key"), max_length=64, blank=True)
    company_name = models.CharField(_("company name"), max_length=200)
    taxpayer_id = models.CharField(_("taxpayer id"), max_length=20)
    address = models.CharField(_("registered address and phone"), max_length=300)
    bank = models.CharField(_("bank and account number"), max_length=300)
    email = models.EmailField(_("email for the e-fapiao"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("fapiao request")
        verbose_name_plural = _("fapiao requests")
        constraints = [
            models.CheckConstraint(condition=ONE_PURCHASE, name="lms_fapiao_one_purchase"),
            models.UniqueConstraint(
                fields=["purchase_kind", "purchase_key"], condition=~Q(purchase_kind=""),
                name="lms_fapiao_one_per_purchase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.taxpayer_id})"


class Payment(models.Model):
    """Money for one purchase (a course seat, or a registered purchase kind: see
    `lms.purchases`) through one provider (Stripe or bank transfer)."""

    class State(models.TextChoices):
        CREATED = "created", _("Awaiting payment")
        CONFIRMED = "confirmed", _("Paid")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")

    PAID_STATES = (State.CONFIRMED, State.REFUNDED, State.PARTIALLY_REFUNDED)

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="payments",
        null=True, blank=True,
    )
    purchase_kind = models.CharField(_("purchase kind"), max_length=40, blank=True)
    purchase_key = models.CharField(_("purchase key"), max_length=64, blank=True)
    provider = models.CharField(_("provider"), max_length=30)
    method = models.CharField(
        _("method"), max_length=30, blank=True, help_text=_("card, alipay, wechat_pay, bank")
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.CREATED, db_index=True
    )
    provider_reference = models.CharField(
        _("provider reference"), max_length=255, blank=True,
        help_text=_("Stripe Checkout session id, or the bank transfer reference."),
    )
    provider_payment_id = models.CharField(
        _("provider payment id"), max_length=255, blank=True,
        help_text=_("Stripe PaymentIntent id."),
    )
    refunded_amount = models.DecimalField(
        _("refunded"), max_digits=10, decimal_places=2, default=ZERO
    )
    expires_at = models.DateTimeField(_("checkout expires"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("paid"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A bank transfer: what the course admin saw arrive on the statement, and on which day.
    amount_received = models.DecimalField(
        _("amount received"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="lms_payment_provider_reference_unique",
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(state="confirmed"),
                name="lms_payment_one_paid_per_enrolment",
            ),
            models.UniqueConstraint(
                fields=["purchase_kind", "purchase_key"],
                condition=Q(state="confirmed") & ~Q(purchase_kind=""),
                name="lms_payment_one_paid_per_purchase",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(refunded_amount__lte=models.F("amount")),
                name="lms_payment_amounts_valid",
            ),
            models.CheckConstraint(condition=ONE_PURCHASE, name="lms_payment_one_purchase"),
        ]
        indexes = [models.Index(fields=["purchase_kind", "purchase_key"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency} ({self.get_state_display()})"

    @property
    def method_label(self) -> str:
        return method_label(method=self.method, provider=self.provider)


class Refund(models.Model):
    """Money returned through the provider that took it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.amount} ({self.get_state_display()})"


class WebhookEvent(models.Model):
    """Each provider event id is recorded once; a replay finds it here and is ignored."""

    provider = models.CharField(_("provider"), max_length=30)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="lms_webhookevent_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class Attendance(models.Model):
    """Whether a trainee attended one of the three days."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
        related_name="attendances",
    )
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(COURSE_DAYS)]
    )
    present = models.BooleanField(_("present"), default=False)
    marked_at = models.DateTimeField(_("marked"), auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["enrolment", "day"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="lms_attendance_unique"),
            models.CheckConstraint(
                condition=Q(day__gte=1) & Q(day__lte=COURSE_DAYS), name="lms_attendance_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} day {self.day}: {self.present}"


class Lesson(models.Model):
    """Course material for one module of the standard, visible to enrolled trainees only."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="lessons"
    )
    module = models.PositiveSmallIntegerField(
        _("module"), validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("The standard's module (1–9) this lesson covers."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    slug = models.SlugField(_("slug"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    body = models.TextField(_("body"), help_text=_("Plain text; blank lines separate paragraphs."))
    # The standard's items the lesson covers, by key (as exam questions refer to them): ids
    # survive edits and re-imports of the standard; a new version has new items.
    items = models.ManyToManyField(
        "cms.StandardItem", through="LessonItem", related_name="lessons", blank=True,
        verbose_name=_("standard items"),
    )
    # Codes the migration to item keys matched to no published item, kept as written.
    legacy_standard_items = models.CharField(
        _("unmatched item codes"), max_length=500, blank=True,
        help_text=_("Item codes as first written that matched no published item."),
    )
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["course", "module", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lms_lesson_slug_unique")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def legacy_item_codes(self) -> list[str]:
        return [code.strip() for code in self.legacy_standard_items.split(",") if code.strip()]


class LessonItem(models.Model):
    """A lesson covers an item. An item a lesson covers cannot be deleted from the standard
    (PROTECT): the editor first sees what refers to it."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="item_links",
                               verbose_name=_("lesson"))
    item = models.ForeignKey("cms.StandardItem", on_delete=models.PROTECT,
                             related_name="lesson_links", verbose_name=_("standard item"))

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "item"], name="lms_lesson_item_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} → {self.item_id}"


class ReconciliationIssue(models.Model):
    """A mismatch between money and seats found by the reconciliation task; recorded once."""

    class Kind(models.TextChoices):
        PAID_NOT_CONFIRMED = "paid_not_confirmed", _("Paid, but the enrolment is not confirmed")
        CONFIRMED_NOT_PAID = "confirmed_not_paid", _("Confirmed, but no payment received")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE,
        related_name="reconciliation_issues",
    )
    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="reconciliation_issues",
    )
    detail = models.TextField(_("detail"), blank=True)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("reconciliation issue")
        verbose_name_plural = _("reconciliation issues")
        ordering = ["-found_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "enrolment"],
                condition=Q(resolved_at__isnull=True),
                name="lms_reconciliation_issue_open_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.enrolment}"
