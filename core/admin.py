from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, EmailDelivery, OutboxTask
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
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "what_happened", "action", "target_repr", "reason")
    list_filter = ("action",)
    search_fields = ("action", "target_repr", "target_id", "reason", "actor__email")
    list_select_related = ("actor",)
    date_hierarchy = "created_at"

    @admin.display(description=_("what happened"), ordering="action")
    def what_happened(self, obj: AuditEntry) -> str:
        """The entry in the reader's language (each app's audit.py); the code stays beside it."""
        return audit_action_label(obj.action)


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """Read-only: what waits for the broker; rows leave when core.tasks.outbox_drain sends them."""

    list_display = ("created_at", "task_name", "task_id", "attempts", "last_error")
    list_filter = ("task_name",)
    search_fields = ("task_name", "task_id")


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdmin):
    """Read-only: each message a task sent or is about to send, to answer "did my email go?"."""

    list_display = ("created_at", "subject", "recipients", "sent_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("key", "subject", "to")
    date_hierarchy = "created_at"

    @admin.display(description=_("recipients"))
    def recipients(self, obj: EmailDelivery) -> str:
        return ", ".join(obj.to)
