"""The question bank, exam definitions and attempts.

A `Question` is a stable identity; what it says lives in immutable `QuestionVersion` rows, so an
edit (a new version) never changes a paper already drawn. An attempt's paper is frozen as
`AttemptQuestion` rows that point at the exact version, with the shuffled option order; the
candidate's answer lives on the same row (one row per attempt and question), guarded by a
client sequence number so that an older save arriving late never overwrites a newer one.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.models import MODULE_LABELS

# The standard's modules have one home, cms; exams reads their names from there.
MODULE_CHOICES = list(MODULE_LABELS.items())


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")


class Question(models.Model):
    """A question's stable identity: its code, module and place in the standard."""

    code = models.CharField(
        _("code"), max_length=32, unique=True,
        help_text=_("Stable reference used by spreadsheet import and export, e.g. Q-0001."),
    )
    module_number = models.PositiveSmallIntegerField(
        _("module"), choices=MODULE_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    # The item the question tests, by key: its id survives edits and re-imports of the standard
    # (they merge items by code), and a new version of the standard has new items, so a
    # question written for 2015's 4.2.3 keeps pointing at it (docs/exams.md, "Items").
    item = models.ForeignKey(
        "cms.StandardItem", verbose_name=_("standard item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="questions",
    )
    # What the migration to item keys could not match to a published item, kept as written so
    # exam admins see it (/exams/manage/items/) and point the question at an item.
    legacy_item_code = models.CharField(
        _("unmatched item code"), max_length=20, blank=True,
        help_text=_("The item code as first written, when it matched no published item."),
    )
    legacy_standard_version = models.CharField(
        _("unmatched standard version"), max_length=40, blank=True,
        help_text=_("The version as first written, when its item code matched no item."),
    )
    kind = models.CharField(_("type"), max_length=12, choices=QuestionKind.choices)
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Retired questions are never drawn for new papers.")
    )
    voided_at = models.DateTimeField(
        _("voided"), null=True, blank=True,
        help_text=_("A voided question is flawed: it no longer counts in any attempt's score."),
    )
    current_version = models.ForeignKey(
        "QuestionVersion", verbose_name=_("current version"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["module_number", "code"]
        indexes = [models.Index(fields=["module_number", "kind", "is_active"])]
        permissions = [
            ("import_questions", _("Can import and export the question bank")),
            ("void_question", _("Can void a question and regrade attempts")),
            ("view_item_tracing",
             _("Can see which questions and lessons trace to the standard's items")),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def item_code(self) -> str:
        """The code of the item the question traces to ("" when none); select `item` in lists."""
        return self.item.code if self.item_id is not None and self.item else ""

    @property
    def standard_version(self) -> str:
        """The number of the version its item belongs to ("" when none); one query."""
        if self.item_id is None or self.item is None:
            return ""
        from cms.selectors import item_version

        return item_version(self.item).code


class QuestionVersion(models.Model):
    """What a question says at one point in time. Never updated after creation."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="versions",
                                 verbose_name=_("question"))
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("question text"))
    options = models.JSONField(
        _("options"), help_text=_('A list of {"key": "A", "text": "..."} in authoring order.')
    )
    correct_keys = models.JSONField(_("correct keys"), help_text=_('e.g. ["A", "C"]'))
    explanation = models.TextField(_("explanation"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("author"))

    class Meta:
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        ordering = ["question", "number"]
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="exams_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"


class MultipleChoiceRule(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _(
        "All or nothing: full credit only for exactly the right set"
    )
    PROPORTIONAL = "proportional", _(
        "Proportional: (right choices − wrong choices) ÷ right keys, never below zero"
    )


class Exam(models.Model):
    course = models.ForeignKey(
        "lms.Course", verbose_name=_("course"), on_delete=models.PROTECT, related_name="exams",
        help_text=_("Only people who completed this course may sit the exam."),
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    description = models.TextField(_("instructions"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60,
                                                   validators=[MinValueValidator(1)])
    pass_mark_percent = models.DecimalField(
        _("pass mark (%)"), max_digits=5, decimal_places=2, default=Decimal("60.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=2,
                                                    validators=[MinValueValidator(1)])
    retake_wait_hours = models.PositiveIntegerField(_("retake wait (hours)"), default=24)
    cap_deadline_at_window_end = models.BooleanField(
        _("end attempts when the sitting window closes"), default=True,
    )
    multiple_choice_rule = models.CharField(
        _("multiple-choice scoring"), max_length=20, choices=MultipleChoiceRule.choices,
        default=MultipleChoiceRule.ALL_OR_NOTHING,
    )
    # Review policy (as Moodle's review options): what the candidate sees right after the
    # attempt, and what once the attempt's sitting has closed (the two add up). The key is never
    # shown to a candidate who may still retake the exam: `selectors.review_visibility`.
    review_score_after_attempt = models.BooleanField(
        _("right after the attempt: score"), default=True)
    review_modules_after_attempt = models.BooleanField(
        _("right after the attempt: per-module breakdown"), default=True)
    review_marks_after_attempt = models.BooleanField(
        _("right after the attempt: right or wrong per question"), default=False)
    review_key_after_attempt = models.BooleanField(
        _("right after the attempt: right answers and explanations"), default=False)
    review_score_after_close = models.BooleanField(
        _("after the sitting closes: score"), default=True)
    review_modules_after_close = models.BooleanField(
        _("after the sitting closes: per-module breakdown"), default=True)
    review_marks_after_close = models.BooleanField(
        _("after the sitting closes: right or wrong per question"), default=True)
    review_key_after_close = models.BooleanField(
        _("after the sitting closes: right answers and explanations"), default=True,
        help_text=_("Never shown to a candidate who failed and may still retake the exam."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["title"]
        permissions = [("view_exam_statistics", _("Can view exam statistics"))]

    def __str__(self) -> str:
        return self.title


class BlueprintRule(models.Model):
    """How many questions of a module (and optionally of one type) a paper holds."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="blueprint",
                             verbose_name=_("exam"))
    module_number = models.PositiveSmallIntegerField(_("module"), choices=MODULE_CHOICES)
    kind = models.CharField(_("type"), max_length=12, choices=QuestionKind.choices, blank=True,
                            help_text=_("Empty: any type."))
    count = models.PositiveSmallIntegerField(_("questions"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("blueprint rule")
        verbose_name_plural = _("blueprint")
        ordering = ["module_number", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["exam", "module_number", "kind"],
                                    name="exams_blueprint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.module_number}/{self.kind or '*'} × {self.count}"


class Sitting(models.Model):
    """A window in which candidates may start the exam."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="sittings",
                             verbose_name=_("exam"))
    starts_at = models.DateTimeField(_("opens"))
    ends_at = models.DateTimeField(_("closes"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("sitting")
        verbose_name_plural = _("sittings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="exams_sitting_window_order")
        ]

    def __str__(self) -> str:
        return f"{self.exam} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"


class Accommodation(models.Model):
    """Extra time granted to one person for one exam, with the reason. Append-only."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="accommodations",
                             verbose_name=_("exam"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="exam_accommodations", verbose_name=_("candidate"))
    extra_minutes = models.PositiveIntegerField(_("extra minutes"),
                                                validators=[MinValueValidator(1)])
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("granted by"))
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)

    class Meta:
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} +{self.extra_minutes} min"


class AttemptState(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class SubmitReason(models.TextChoices):
    CANDIDATE = "candidate", _("Submitted by the candidate")
    DEADLINE = "deadline", _("Submitted automatically at the deadline")


class Attempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts",
                             verbose_name=_("exam"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="exam_attempts", verbose_name=_("candidate"))
    sitting = models.ForeignKey(Sitting, on_delete=models.PROTECT, related_name="attempts",
                                verbose_name=_("sitting"))
    number = models.PositiveSmallIntegerField(_("attempt number"))
    state = models.CharField(_("state"), max_length=12, choices=AttemptState.choices,
                             default=AttemptState.OPEN)
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submit_reason = models.CharField(_("how it ended"), max_length=12,
                                     choices=SubmitReason.choices, blank=True)
    # Exact score: earned / possible as a fraction; percent is for display only.
    points_num = models.PositiveIntegerField(default=0)
    points_den = models.PositiveIntegerField(default=1)
    points_possible = models.PositiveIntegerField(_("points possible"), default=0)
    score_percent = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2,
                                        null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    counts_for_credential = models.BooleanField(
        _("eligible for a credential"), default=True,
        help_text=_("Cleared when an attempt is annulled (e.g. misconduct)."),
    )
    pass_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The paper's items with their versions, in order, when a start has just written them
    # (services.attempt_start): the paper it answers with is built without reading them back.
    # Not a field; an attempt read from the database does not have it.
    paper_items: list[AttemptQuestion]

    class Meta:
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "exam"],
                                    condition=models.Q(state="open"),
                                    name="exams_one_open_attempt"),
            models.UniqueConstraint(fields=["user", "exam", "number"],
                                    name="exams_attempt_number_unique"),
        ]
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.exam} #{self.number} · {self.user}"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.OPEN

    @property
    def points_earned(self) -> Fraction:
        return Fraction(self.points_num, self.points_den)

    @property
    def score_fraction(self) -> Fraction:
        if not self.points_possible:
            return Fraction(0)
        return self.points_earned / self.points_possible


class AttemptQuestion(models.Model):
    """One question of a frozen paper, and the candidate's answer to it."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items",
                                verbose_name=_("attempt"))
    position = models.PositiveSmallIntegerField(_("position"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("question"))
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("version"))
    module_number = models.PositiveSmallIntegerField(_("module"), choices=MODULE_CHOICES)
    kind = models.CharField(_("type"), max_length=12, choices=QuestionKind.choices)
    option_order = models.JSONField(_("option order"))
    selected = models.JSONField(_("answer"), default=list, blank=True)
    flagged = models.BooleanField(_("flagged"), default=False)
    seq = models.BigIntegerField(_("last save sequence"), default=0)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # Marking (empty while the attempt is open).
    credit_num = models.PositiveIntegerField(default=0)
    credit_den = models.PositiveIntegerField(default=1)
    is_correct = models.BooleanField(null=True)
    voided = models.BooleanField(_("voided"), default=False)

    class Meta:
        verbose_name = _("paper question")
        verbose_name_plural = _("paper questions")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="exams_item_unique"),
            models.UniqueConstraint(fields=["attempt", "position"],
                                    name="exams_item_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.position}"

    @property
    def credit(self) -> Fraction:
        return Fraction(self.credit_num, self.credit_den)


class AttemptEventKind(models.TextChoices):
    START = "start", _("started")
    SAVE = "save", _("answer saved")
    SAVE_IGNORED = "save_stale", _("older save ignored")
    SAVE_REJECTED = "save_late", _("late save rejected")
    SUBMIT = "submit", _("submitted")
    AUTO_SUBMIT = "auto_submit", _("submitted at the deadline")
    ACCOMMODATION = "accommodation", _("extra time granted")
    REGRADE = "regrade", _("regraded")
    APPEAL = "appeal", _("review requested")
    APPEAL_RESOLVED = "appeal_resolved", _("review resolved")


class AttemptEvent(models.Model):
    """Append-only log of everything that happened to an attempt."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("attempt"))
    at = models.DateTimeField(_("when"), auto_now_add=True)
    kind = models.CharField(_("event"), max_length=20, choices=AttemptEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+", verbose_name=_("who"))
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("attempt event")
        verbose_name_plural = _("attempt log")
        ordering = ["attempt", "at", "id"]

    def __str__(self) -> str:
        return f"{self.attempt_id} {self.kind}"


class AppealState(models.TextChoices):
    OPEN = "open", _("Awaiting review")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """A candidate's request for a score review."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="appeals",
                                verbose_name=_("attempt"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=AppealState.choices,
                             default=AppealState.OPEN)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("score review request")
        verbose_name_plural = _("score review requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["attempt"], condition=models.Q(state="open"),
                                    name="exams_one_open_appeal")
        ]

    def __str__(self) -> str:
        return f"{self.attempt} ({self.get_state_display()})"
