from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, OutboxTask
from .selectors import audit_action_label


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write (audited): listed and read in the admin, never edited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "what_happened", "action", "target_repr", "reason")
    list_filter = ("action",)
    search_fields = ("action", "target_repr", "target_id", "reason", "actor__email")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"

    @admin.display(description=_("what happened"), ordering="action")
    def what_happened(self, obj: AuditEntry) -> str:
        """The entry in the reader's language (each app's audit.py); the code stays beside it."""
        return audit_action_label(obj.action)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEntry | None = None) -> bool:
        return False


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    """Read-only: what waits for the broker; rows leave when core.tasks.outbox_drain sends them."""

    list_display = ("created_at", "task_name", "task_id", "attempts", "last_error")
    list_filter = ("task_name",)
    search_fields = ("task_name", "task_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxTask | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxTask | None = None) -> bool:
        return False
