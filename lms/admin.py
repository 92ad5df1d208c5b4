from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .forms import LessonForm
from .models import (
    Attendance,
    Cohort,
    Course,
    Enrolment,
    FapiaoRequest,
    Lesson,
    Payment,
    ReconciliationIssue,
    Refund,
    WebhookEvent,
)
from .selectors import cohorts_with_seats


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money and seats change through services (with audit), never by editing rows."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CohortInline(admin.TabularInline):
    model = Cohort
    fields = ("code", "title", "status", "day_1", "capacity", "price")
    extra = 0
    show_change_link = True


class LessonInline(admin.TabularInline):
    model = Lesson
    form = LessonForm
    fields = ("module", "position", "slug", "title", "item_codes", "is_published")
    extra = 0
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "price", "exam_included", "is_published")
    search_fields = ("code", "title", "title_en")
    inlines = [CohortInline, LessonInline]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "course", "status", "day_1", "capacity", "seats_left",
                    "price", "enrolment_deadline")
    list_filter = ("status", "course", "language")
    search_fields = ("code", "title", "venue")
    list_select_related = ("course",)
    date_hierarchy = "day_1"
    readonly_fields = ("cancelled_reason",)
    fieldsets = (
        (None, {"fields": ("course", "code", "title", "status", "language")}),
        (_("Dates"), {"fields": (("day_1", "day_2", "day_3"), ("starts_at_time", "ends_at_time"),
                              "enrolment_deadline")}),
        (_("Place"), {"fields": ("venue", "online_url")}),
        (_("Seats and price"), {"fields": ("capacity", "price")}),
        (_("Cancellation policy"), {"fields": (("full_refund_days", "partial_refund_days",
                                             "partial_refund_percent"), "cancellation_policy",
                                            "cancelled_reason")}),
    )

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return cohorts_with_seats(super().get_queryset(request))

    @admin.display(description=_("seats left"))
    def seats_left(self, obj: Cohort) -> int:
        return obj.seats_left  # type: ignore[attr-defined]

    def get_readonly_fields(self, request: HttpRequest, obj: Cohort | None = None):  # type: ignore[no-untyped-def]
        # Cancelling refunds everyone: it is done on the roster page with a reason, not here.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == Cohort.Status.CANCELLED:
            fields.append("status")
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "status":
            kwargs["choices"] = [c for c in Cohort.Status.choices
                                 if c[0] != Cohort.Status.CANCELLED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


class PaymentInline(admin.TabularInline):
    model = Payment
    fields = ("provider", "method", "amount", "state", "provider_reference", "refunded_amount",
              "confirmed_at", "confirmed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ("day", "present", "marked_by", "marked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "user", "cohort", "state", "price", "hold_expires_at",
                    "created_at")
    list_filter = ("state", "cohort__course", "cohort")
    search_fields = ("reference", "user__email", "user__name_zh", "cohort__code")
    list_select_related = ("user", "cohort__course")
    inlines = [PaymentInline, AttendanceInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("enrolment", "provider", "method", "amount", "currency", "state",
                    "refunded_amount", "created_at", "confirmed_at")
    list_filter = ("provider", "state", "method")
    search_fields = ("enrolment__reference", "provider_reference", "provider_payment_id")
    list_select_related = ("enrolment__user", "enrolment__cohort__course")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("payment", "amount", "state", "provider_reference", "created_at")
    list_filter = ("state",)


@admin.register(FapiaoRequest)
class FapiaoRequestAdmin(ReadOnlyAdmin):
    list_display = ("company_name", "taxpayer_id", "enrolment", "created_at")
    search_fields = ("company_name", "taxpayer_id", "enrolment__reference")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("provider", "event_type", "event_id", "object_id", "received_at")
    list_filter = ("provider", "event_type")
    search_fields = ("event_id", "object_id")


@admin.register(ReconciliationIssue)
class ReconciliationIssueAdmin(ReadOnlyAdmin):
    list_display = ("kind", "enrolment", "payment", "found_at", "resolved_at")
    list_filter = ("kind",)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonForm
    list_display = ("title", "course", "module", "position", "is_published")
    list_filter = ("course", "module", "is_published")
    search_fields = ("title", "title_en", "body", "items__code", "legacy_standard_items")
