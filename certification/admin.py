from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.services import audit_record

from .models import (
    Credential,
    CredentialType,
    OrganisationAffiliation,
    RankingWeights,
    ReviewerApplication,
    ReviewExperience,
    WorkPosition,
)


@admin.register(CredentialType)
class CredentialTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_en", "number_code", "validity_years", "renewal_method",
                    "cpd_hours_required")
    readonly_fields = ("slug", "number_code", "role")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Read-only here: status changes go through the certification staff pages (audited)."""

    list_display = ("number", "held_by", "credential_type", "issued_on", "expires_on", "status")
    list_filter = ("credential_type", "status")
    search_fields = ("number", "holder__name_zh", "holder__name_en", "holder__email",
                     "organisation__name")
    list_select_related = ("holder", "organisation", "credential_type")
    # The file field would link to the storage's own URL (a signed one on the object store);
    # the certificate view checks who asks instead.
    exclude = ("pdf",)
    readonly_fields = ("certificate",)

    @admin.display(description=_("holder"))
    def held_by(self, obj: Credential) -> str:
        return obj.holder_display

    @admin.display(description=_("certificate PDF"))
    def certificate(self, obj: Credential) -> str:
        return format_html('<a href="{}">{}</a>', reverse("certification:pdf", args=[obj.pk]),
                           obj.number) if obj.pk else ""


@admin.register(OrganisationAffiliation)
class OrganisationAffiliationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "kind", "other", "note")
    list_filter = ("kind",)
    search_fields = ("organisation__name", "other__name")
    autocomplete_fields = ("organisation", "other")

    # Affiliations decide who may review whom: every change is in the audit log too.
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="certification.affiliation."
                     + ("changed" if change else "recorded"), target=obj,
                     data={"kind": obj.kind, "other": obj.other_id})

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        audit_record(actor=request.user, action="certification.affiliation.deleted", target=obj,
                     data={"kind": obj.kind, "organisation": obj.organisation_id,
                           "other": obj.other_id})
        super().delete_model(request, obj)


class WorkPositionInline(admin.TabularInline):
    model = WorkPosition
    extra = 0


class ReviewExperienceInline(admin.TabularInline):
    model = ReviewExperience
    extra = 0


@admin.register(ReviewerApplication)
class ReviewerApplicationAdmin(admin.ModelAdmin):
    list_display = ("applicant", "status", "submitted_at", "decided_by", "decided_at")
    list_filter = ("status",)
    inlines = [WorkPositionInline, ReviewExperienceInline]
    readonly_fields = ("status", "decided_at", "decided_by", "decision_reason",
                       "reviewer_credential")


@admin.register(RankingWeights)
class RankingWeightsAdmin(admin.ModelAdmin):
    list_display = ("exam_weight", "years_weight", "management_weight", "review_weight")
