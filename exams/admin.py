"""Django admin for exam admins: the bank, exams with blueprint and sittings, read-only attempts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .errors import BlueprintUnfillable, ExamError
from .models import (
    Accommodation,
    Appeal,
    Attempt,
    AttemptEvent,
    AttemptQuestion,
    BlueprintRule,
    Exam,
    Question,
    QuestionVersion,
    Sitting,
)
from .services import blueprint_check, question_item_check
from .tracing import reference_resolve


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = QuestionVersion
    extra = 0
    fields = ("number", "text", "correct_keys", "explanation", "created_at", "created_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QuestionForm(forms.ModelForm):
    """The item a question tests, written as in the import (version, code) and kept by key:
    a reference to no published item, or to an item of another module, is refused here too."""

    item_code = forms.CharField(label=_("standard item"), required=False,
                                max_length=20, help_text=_("e.g. 4.2.3"))
    standard_version = forms.CharField(
        label=_("standard version"), required=False, max_length=40,
        help_text=_("e.g. YD/T 2823-2015; blank for the current version"))

    class Meta:
        model = Question
        fields = ["module_number", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.item_id is not None:
            self.fields["item_code"].initial = self.instance.item_code
            self.fields["standard_version"].initial = self.instance.standard_version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        found = reference_resolve(version_text=cleaned.get("standard_version", ""),
                                  code=cleaned.get("item_code", ""))
        if found is None:
            self.instance.item = None
        elif found.item is None:
            self.add_error(found.column, found.sentence)
        elif cleaned.get("module_number"):
            try:
                question_item_check(item=found.item, module_number=cleaned["module_number"])
            except ExamError as exc:
                self.add_error("module_number", exc.messages)
                return cleaned
            self.instance.item = found.item
            self.instance.legacy_item_code = self.instance.legacy_standard_version = ""
        return cleaned


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Content edits go through import (a new version each time); here only metadata."""

    form = QuestionForm
    list_display = ("code", "module_number", "kind", "item", "is_active", "voided_at")
    list_filter = ("module_number", "kind", "is_active")
    list_select_related = ("item",)
    search_fields = ("code", "item__code", "legacy_item_code", "versions__text")
    readonly_fields = ("current_version", "voided_at", "code", "kind", "legacy_item_code",
                       "legacy_standard_version")
    fields = ("code", "module_number", "kind", "item_code", "standard_version",
              "legacy_item_code", "legacy_standard_version", "is_active", "current_version",
              "voided_at")
    inlines = [VersionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BlueprintFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rules = [
            (f.cleaned_data["module_number"], f.cleaned_data.get("kind", ""),
             f.cleaned_data["count"])
            for f in self.forms
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("module_number") and f.cleaned_data.get("count")
        ]
        try:
            blueprint_check(rules=rules)
        except BlueprintUnfillable as exc:
            raise forms.ValidationError(exc.messages) from exc


class BlueprintInline(admin.TabularInline):
    model = BlueprintRule
    formset = BlueprintFormSet
    extra = 0


class SittingInline(admin.TabularInline):
    model = Sitting
    extra = 0


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "duration_minutes", "pass_mark_percent", "max_attempts",
                    "is_published")
    list_select_related = ("course",)
    inlines = [BlueprintInline, SittingInline]
    fieldsets = [
        (None, {"fields": ("course", "title", "title_en", "description", "duration_minutes",
                           "pass_mark_percent", "max_attempts", "retake_wait_hours",
                           "cap_deadline_at_window_end", "multiple_choice_rule",
                           "is_published")}),
        (_("What candidates see right after the attempt"), {"fields": (
            "review_score_after_attempt", "review_modules_after_attempt",
            "review_marks_after_attempt", "review_key_after_attempt")}),
        (_("What candidates see once the sitting has closed"), {
            "fields": ("review_score_after_close", "review_modules_after_close",
                       "review_marks_after_close", "review_key_after_close"),
            "description": _("Candidates always see whether they passed. The right answers "
                             "are never shown to a candidate who failed and may still retake "
                             "the exam."),
        }),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ItemInline(admin.TabularInline):
    model = AttemptQuestion
    extra = 0
    fields = ("position", "question", "version", "module_number", "selected", "seq",
              "is_correct", "voided")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ("exam", "user", "number", "state", "started_at", "deadline", "score_percent",
                    "passed")
    list_filter = ("exam", "state", "passed")
    search_fields = ("user__email", "user__name_zh")
    list_select_related = ("exam", "user")
    inlines = [ItemInline]


@admin.register(AttemptEvent)
class AttemptEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "attempt", "kind", "actor")
    list_filter = ("kind",)
    list_select_related = ("attempt", "actor")


@admin.register(Accommodation)
class AccommodationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "exam", "user", "extra_minutes", "reason", "granted_by")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "attempt", "state", "resolved_by", "resolved_at")
    list_filter = ("state",)
