"""Certification admins suspend, reinstate and revoke, with a reason; audited; holder emailed."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.selectors import user_has_role
from certification import services
from certification.models import Credential
from core.models import AuditEntry


@pytest.fixture
def credential(user, pass_credential):
    credential = pass_credential(user)
    mail.outbox.clear()
    return credential


def test_suspend_reinstate_revoke_are_audited_and_emailed(credential, cert_admin,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.credential_suspend(credential=credential, actor=cert_admin, reason="投诉核查")
        services.credential_reinstate(credential=credential, actor=cert_admin, reason="核查完毕")
        services.credential_revoke(credential=credential, actor=cert_admin, reason="资料造假",
                                   reason_public=True)

    credential.refresh_from_db()
    assert credential.status == "revoked"
    assert credential.status_reason == "资料造假"
    actions = list(AuditEntry.objects.for_object(credential).order_by("id").values_list(
        "action", "actor", "reason"))
    assert actions[1:] == [
        ("certification.credential.suspended", cert_admin.pk, "投诉核查"),
        ("certification.credential.reinstated", cert_admin.pk, "核查完毕"),
        ("certification.credential.revoked", cert_admin.pk, "资料造假"),
    ]
    assert len(mail.outbox) == 3
    assert all(m.to == [credential.holder.email] for m in mail.outbox)
    assert "已撤销" in mail.outbox[2].subject
    assert "资料造假" in mail.outbox[2].body
    assert not user_has_role(credential.holder, "coordinator")


def test_a_reason_is_required_and_revocation_is_final(credential, cert_admin):
    with pytest.raises(services.CertificationError):
        services.credential_suspend(credential=credential, actor=cert_admin, reason="  ")
    with pytest.raises(services.CertificationError):
        services.credential_reinstate(credential=credential, actor=cert_admin, reason="无")
    services.credential_revoke(credential=credential, actor=cert_admin, reason="违规")
    with pytest.raises(services.CertificationError):
        services.credential_reinstate(credential=credential, actor=cert_admin, reason="误操作")
    credential.refresh_from_db()
    assert credential.status == "revoked"


def test_only_certification_admins_reach_the_status_page(client, credential, user_factory,
                                                         cert_admin):
    url = f"/credentials/staff/{credential.pk}/"
    client.force_login(user_factory(roles=["exam_admin"], is_staff=True))
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "revoke", "reason": "x"}).status_code == 403
    client.force_login(credential.holder)
    assert client.post(url, {"action": "revoke", "reason": "x"}).status_code == 403
    assert Credential.objects.get(pk=credential.pk).status == "active"


def test_an_admin_revokes_through_the_staff_page(client, credential, cert_admin):
    client.force_login(cert_admin)
    assert client.get(f"/credentials/staff/?q={credential.number}").status_code == 200
    data = {"action": "revoke", "reason": "冒名顶替", "reason_public": "on"}
    asked = client.post(f"/credentials/staff/{credential.pk}/", data)
    assert asked.status_code == 200 and "不能恢复" in asked.content.decode()
    response = client.post(f"/credentials/staff/{credential.pk}/", {**data, "confirmed": "1"})
    assert response.status_code == 302
    credential.refresh_from_db()
    assert (credential.status, credential.status_reason_public) == ("revoked", True)
    page = client.get(f"/credentials/staff/{credential.pk}/").content.decode()
    # Human labels in the person's language, not the audit codes.
    assert "certification.credential." not in page
    assert "证书已撤销" in page and "证书已签发" in page
    english = client.get(f"/credentials/staff/{credential.pk}/",
                         HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Credential revoked" in english and "Credential issued" in english
    assert "certification.credential." not in english
