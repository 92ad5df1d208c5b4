from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.services import audit_record

from .models import (
    AgreementAcceptance,
    AgreementVersion,
    Draw,
    Finding,
    KpiCheck,
    KpiDataSet,
    OrganisationMember,
    OrganisationProfile,
    OrganisationSite,
    ReviewerDeclaredConflict,
    ReviewerFee,
    ReviewProject,
    Sanction,
    SanctionAppeal,
    SpotCheck,
    TeamMember,
)


@admin.register(ReviewProject)
class ReviewProjectAdmin(admin.ModelAdmin):
    list_display = ("organisation", "standard_version", "state", "created_at", "draw_page")
    list_filter = ("state",)
    search_fields = ("organisation__name",)
    autocomplete_fields = ("organisation", "consulting_firm", "coordinators")
    filter_horizontal = ("sites",)
    # Issued by the service only (numbered, audited, emailed): /reviews/staff/certificates/.
    readonly_fields = ("certificate",)

    @admin.display(description=_("The draw"))
    def draw_page(self, obj: ReviewProject) -> str:
        return format_html('<a href="{}">{}</a>', reverse("reviews:staff_project_draw",
                                                          args=[obj.pk]), _("The draw"))


@admin.register(ReviewerDeclaredConflict)
class ReviewerDeclaredConflictAdmin(admin.ModelAdmin):
    list_display = ("reviewer", "organisation", "reason", "created_at")
    search_fields = ("reviewer__email", "organisation__name")
    autocomplete_fields = ("reviewer", "organisation")


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdmin):
    """Draws are written by the services only: read here, verified on their own page."""

    list_display = ("project", "kind", "team_size", "created_at")
    list_filter = ("kind",)


@admin.register(TeamMember)
class TeamMemberAdmin(admin.ModelAdmin):
    list_display = ("project", "reviewer", "role", "state")
    list_filter = ("role", "state")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(OrganisationMember)
class OrganisationMemberAdmin(admin.ModelAdmin):
    """Where a certification admin attaches the first admin of an organisation that is already
    on the platform (an employer from work histories) and has none."""

    list_display = ("organisation", "user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("organisation__name", "user__email")
    autocomplete_fields = ("organisation", "user")
    exclude = ("added_by",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="reviews.organisation.member_added",
                     target=obj.organisation,
                     data={"user": obj.user_id, "role": obj.role, "via": "admin"})


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(admin.ModelAdmin):
    list_display = ("organisation", "industry", "centre_type", "seats")
    list_filter = ("industry", "centre_type")
    search_fields = ("organisation__name",)


@admin.register(OrganisationSite)
class OrganisationSiteAdmin(admin.ModelAdmin):
    list_display = ("organisation", "name", "address", "seats")
    search_fields = ("organisation__name", "name")


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    """Certification admins write and publish versions; once anyone has accepted a version its
    text and publication stay as accepted (a change is a new version)."""

    list_display = ("number", "published_at", "created_at")

    def _accepted(self, obj: AgreementVersion | None) -> bool:
        return obj is not None and obj.acceptances.exists()

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if self._accepted(obj):
            return ("number", "text", "text_en", "published_at")
        return ()

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return not self._accepted(obj) and super().has_delete_permission(request, obj)


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdmin):
    """Acceptances are written by the reviewers' signatures only."""

    list_display = ("member", "version", "full_name", "ip_address", "accepted_at")


# Written by the services only (drawn, recomputed, audited, emailed): read here, acted on in the
# review's own pages. Evidence, source records and on-site records are not listed: their files
# are viewed through the permission-checked viewer only.


@admin.register(KpiDataSet)
class KpiDataSetAdmin(ReadOnlyAdmin):
    list_display = ("project", "revision", "submitted_at", "drawn_month", "drawn_at")


@admin.register(KpiCheck)
class KpiCheckAdmin(ReadOnlyAdmin):
    list_display = ("data_set", "kpi", "month", "reported", "recomputed", "difference",
                    "flagged")
    list_filter = ("kpi", "flagged")


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "created_by", "state", "rate", "item_rate", "completed_at")
    list_filter = ("state",)


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("judgement", "final_verdict", "disagrees_with_final", "created_at")


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ("reviewer", "action", "state", "created_by", "created_at")
    list_filter = ("action", "state")
    search_fields = ("reviewer__email",)


@admin.register(SanctionAppeal)
class SanctionAppealAdmin(ReadOnlyAdmin):
    list_display = ("sanction", "state", "created_at", "resolved_by", "resolved_at")
    list_filter = ("state",)


@admin.register(ReviewerFee)
class ReviewerFeeAdmin(ReadOnlyAdmin):
    list_display = ("member", "work_ended_on", "document_days", "onsite_days", "daily_fee",
                    "travel_amount")
    date_hierarchy = "work_ended_on"
