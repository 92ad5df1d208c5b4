import pytest
from django.contrib.auth.models import AnonymousUser

from core.models import AuditEntry
from core.services import audit_record

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_who_what_object_and_why(user_factory):
    admin = user_factory()
    holder = user_factory()
    entry = audit_record(
        actor=admin, action="accounts.role.granted", target=holder, reason="promoted by committee",
        data={"role": "reviewer"},
    )
    assert entry.actor == admin
    assert entry.target_type == "accounts.user"
    assert entry.target_id == str(holder.pk)
    assert entry.reason == "promoted by committee"
    assert list(AuditEntry.objects.for_object(holder)) == [entry]


def test_anonymous_actor_is_recorded_as_the_system(user_factory):
    entry = audit_record(actor=AnonymousUser(), action="lms.webhook.received")
    assert entry.actor is None


def test_entries_survive_deletion_of_their_object(user_factory):
    holder = user_factory()
    audit_record(actor=None, action="accounts.profile.updated", target=holder)
    holder_pk = holder.pk
    holder.delete()
    entry = AuditEntry.objects.get(action="accounts.profile.updated")
    assert entry.target_id == str(holder_pk)


def test_admin_cannot_edit_or_delete_audit_entries(client, user_factory):
    superuser = user_factory(is_staff=True, is_superuser=True)
    entry = audit_record(actor=None, action="core.test")
    client.force_login(superuser)
    change = client.post(f"/django-admin/core/auditentry/{entry.pk}/change/", {"reason": "x"})
    delete = client.post(f"/django-admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert change.status_code in (403, 200)
    assert delete.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == ""
