"""Through the API, a certification admin suspends, reinstates and revokes a credential with a
reason: only the transitions its status allows, audited and emailed as on the staff page; other
staff roles and holders are refused."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from certification.models import Credential
from core.models import AuditEntry
from tests.app_token import app_headers, as_json


@pytest.fixture
def app() -> Client:
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def credential(user, pass_credential):
    credential = pass_credential(user)
    mail.outbox.clear()
    return credential


def _url(credential: Credential) -> str:
    return f"/api/v1/certification/staff/credentials/{credential.pk}/status"


def test_an_admin_suspends_reinstates_and_revokes_through_the_api(
        app, credential, cert_admin, totp_code, django_capture_on_commit_callbacks):
    headers = app_headers(app, cert_admin, totp_code=totp_code)
    with django_capture_on_commit_callbacks(execute=True):
        suspended = app.post(_url(credential), **headers,
                             **as_json({"action": "suspend", "reason": "投诉核查"}))
        assert suspended.status_code == 200, suspended.content
        assert suspended.json()["status"] == "suspended"
        reinstated = app.post(_url(credential), **headers,
                              **as_json({"action": "reinstate", "reason": "核查完毕"}))
        assert reinstated.json()["status"] == "active"
        revoked = app.post(_url(credential), **headers, **as_json(
            {"action": "revoke", "reason": "资料造假", "reason_public": True}))
        assert revoked.json()["status"] == "revoked"
        assert revoked.json()["status_reason_public"] is True

    actions = list(AuditEntry.objects.for_object(credential).order_by("id").values_list(
        "action", "actor", "reason"))
    assert actions[1:] == [
        ("certification.credential.suspended", cert_admin.pk, "投诉核查"),
        ("certification.credential.reinstated", cert_admin.pk, "核查完毕"),
        ("certification.credential.revoked", cert_admin.pk, "资料造假"),
    ]
    assert len(mail.outbox) == 3 and all(m.to == [credential.holder.email]
                                         for m in mail.outbox)
    public = app.get(f"/api/v1/certification/verify/{credential.number}").json()
    assert (public["status"], public["status_reason"]) == ("revoked", "资料造假")


def test_only_valid_transitions_with_a_reason_are_accepted(app, credential, cert_admin,
                                                           totp_code):
    headers = app_headers(app, cert_admin, totp_code=totp_code)
    for body in ({"action": "reinstate", "reason": "已是有效"},  # it is active already
                 {"action": "suspend", "reason": "  "},
                 {"action": "delete", "reason": "不存在的操作"}):
        response = app.post(_url(credential), **headers, **as_json(body))
        assert response.status_code == 400, (body, response.content)
    app.post(_url(credential), **headers, **as_json({"action": "revoke", "reason": "资料造假"}))
    final = app.post(_url(credential), **headers,
                     **as_json({"action": "reinstate", "reason": "撤销后恢复"}))
    assert final.status_code == 400
    credential.refresh_from_db()
    assert credential.status == "revoked"
    assert not AuditEntry.objects.filter(action="certification.credential.reinstated").exists()


def test_holders_other_staff_and_signed_out_callers_are_refused(app, credential, user,
                                                                user_factory, totp_code):
    body = as_json({"action": "revoke", "reason": "试图撤销"})
    assert app.post(_url(credential), **body).status_code == 401
    assert app.post(_url(credential), **app_headers(app, user), **body).status_code == 403
    for role in ("course_admin", "exam_admin"):
        staff = user_factory(roles=[role])
        response = app.post(_url(credential), **app_headers(app, staff, totp_code=totp_code),
                            **body)
        assert response.status_code == 403, role
    credential.refresh_from_db()
    assert credential.status == "active"


def test_an_unknown_credential_is_not_found(app, cert_admin, totp_code):
    response = app.post("/api/v1/certification/staff/credentials/999999/status",
                        **app_headers(app, cert_admin, totp_code=totp_code),
                        **as_json({"action": "suspend", "reason": "核查"}))
    assert response.status_code == 404
