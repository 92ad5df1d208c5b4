"""Every way in goes through allauth: its pages, the headless app API, and the Django and Wagtail
admins, which send their logins there. Staff sign in with a second factor on each, each is rate
limited, and a staff member without a second factor is sent to set one up."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.services import user_role_grant, user_role_revoke
from config.settings import base

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"
STAFF_PAGES = ["/credentials/staff/", "/django-admin/", "/cms-admin/"]
# Where each browser way in starts: allauth's page, and the two admins' own login URLs.
ENTRIES = ["/accounts/login/", "/django-admin/login/", "/cms-admin/login/"]
APP_LOGIN = "/_allauth/app/v1/auth/login"


@pytest.fixture
def staff(user_factory, home_page):
    """Opens all three staff areas: credentials, the Django admin and the Wagtail admin."""
    return user_factory(roles=["certification_admin", "content_editor"], is_staff=True,
                        email="staff@example.com")


@pytest.fixture
def production_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def _opens(client, url: str) -> bool:
    return client.get(url).status_code == 200


def _login_form(client, entry: str, next_url: str) -> str:
    """Follow a way in to the form a person types their password into; its URL."""
    response = client.get(entry, {"next": next_url}, follow=True)
    assert response.status_code == 200
    return response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"]


@pytest.mark.parametrize("entry", ENTRIES)
def test_staff_with_totp_need_the_code_on_every_browser_way_in(client, staff, totp_code, entry):
    form = _login_form(client, entry, "/credentials/staff/")
    assert form.startswith("/accounts/login/")
    response = client.post(form, {"login": staff.email, "password": PASSWORD})
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    for page in STAFF_PAGES:
        assert not _opens(client, page), page

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(staff)})
    assert response["Location"] == "/credentials/staff/"
    for page in STAFF_PAGES:
        assert _opens(client, page), page


@pytest.mark.parametrize("entry", ["/django-admin/login/", "/cms-admin/login/"])
def test_the_admins_own_login_forms_no_longer_take_a_password(client, staff, entry):
    response = client.post(entry, {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    for page in STAFF_PAGES:
        assert not _opens(client, page), page


def test_staff_with_totp_need_the_code_in_the_app(client, staff, totp_code):
    response = client.post(APP_LOGIN, {"email": staff.email, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 401
    body = response.json()
    assert [f["id"] for f in body["data"]["flows"] if f.get("is_pending")] == ["mfa_authenticate"]
    token = body["meta"]["session_token"]
    assert client.get("/api/v1/me", headers={"X-Session-Token": token}).status_code == 401

    response = client.post("/_allauth/app/v1/auth/2fa/authenticate", {"code": totp_code(staff)},
                           content_type="application/json", headers={"X-Session-Token": token})
    assert response.status_code == 200
    token = response.json()["meta"].get("session_token", token)
    me = client.get("/api/v1/me", headers={"X-Session-Token": token})
    assert me.status_code == 200
    assert me.json()["email"] == staff.email


@pytest.mark.parametrize("entry", ENTRIES)
def test_twenty_wrong_passwords_are_throttled_on_every_browser_way_in(
        client, staff, production_rate_limits, entry):
    pages = []
    for _ in range(20):
        form = _login_form(client, entry, "/credentials/staff/")
        pages.append(client.post(form, {"login": staff.email, "password": "wrong"}))
        if entry != "/accounts/login/":
            # The admins' own forms no longer take a password, right or wrong.
            client.post(entry, {"username": staff.email, "password": "wrong"})
    assert "登录失败次数过多" in pages[-1].content.decode()

    form = _login_form(client, entry, "/credentials/staff/")
    right = client.post(form, {"login": staff.email, "password": PASSWORD})
    assert right.status_code == 200
    assert "登录失败次数过多" in right.content.decode()
    client.post(entry, {"username": staff.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_twenty_wrong_passwords_are_throttled_in_the_app(client, staff, production_rate_limits):
    answers = [
        client.post(APP_LOGIN, {"email": staff.email, "password": "wrong"},
                    content_type="application/json")
        for _ in range(20)
    ]
    assert answers[-1].status_code in (400, 429)
    assert any(a.status_code == 429 or "too_many_login_attempts" in a.content.decode()
               for a in answers)
    right = client.post(APP_LOGIN, {"email": staff.email, "password": PASSWORD},
                        content_type="application/json")
    assert right.status_code in (400, 429)
    assert "session_token" not in right.content.decode()


def _activate_totp(client, totp_code) -> None:
    """What a person does on the page they are sent to: confirm the password, scan, type."""
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    code = totp_code(client.session["mfa.totp.secret"])
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response["Location"] == "/accounts/2fa/recovery-codes/"


# Transactional: allauth finishes an activation when it commits, within the request, as it does
# when serving.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("entry", ENTRIES)
def test_staff_without_a_second_factor_are_sent_to_set_one_up(
        client, user_factory, home_page, totp_code, entry):
    staff = user_factory(roles=["certification_admin", "content_editor"], is_staff=True,
                         email="new.staff@example.com", mfa=False)
    form = _login_form(client, entry, "/credentials/staff/")
    client.post(form, {"login": staff.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(staff.pk)
    for page in [*STAFF_PAGES, "/me/", "/exams/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/accounts/2fa/totp/activate/", page
    page = client.get("/accounts/2fa/totp/activate/", follow=True).content.decode()
    assert "工作人员账户需要启用双因素身份认证" in page

    _activate_totp(client, totp_code)
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.RECOVERY_CODES).exists()
    # The code typed to activate it is this session's second factor: no need to sign in again.
    for page in STAFF_PAGES:
        assert _opens(client, page), page


def test_staff_without_a_second_factor_get_a_clear_403_from_the_api(client, user_factory):
    staff = user_factory(roles=["exam_admin"], email="api.staff@example.com", mfa=False)
    response = client.post(APP_LOGIN, {"email": staff.email, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200
    token = response.json()["meta"]["session_token"]
    me = client.get("/api/v1/me", headers={"X-Session-Token": token})
    assert me.status_code == 403
    assert me.json()["code"] == "mfa_setup_required"
    # The app can still set one up through allauth's headless API.
    authenticators = client.get("/_allauth/app/v1/account/authenticators",
                                headers={"X-Session-Token": token})
    assert authenticators.status_code == 200


def test_a_trainee_without_a_second_factor_is_not_asked_for_one(client, user):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert _opens(client, "/me/")


def test_a_role_granted_mid_session_sends_them_to_set_up_on_the_next_request(client, user):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert _opens(client, "/me/")
    user_role_grant(user=user, role="exam_admin", granted_by=None)
    response = client.get("/me/")
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    user_role_revoke(user=user, role="exam_admin", revoked_by=None)
    assert _opens(client, "/me/")


def test_the_staff_check_is_answered_with_the_signed_in_user(client, user):
    """The two-factor rule runs on every request; for the session's user it costs no query of
    its own (the autosave makes thousands of requests a minute)."""
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/health").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    # One query loads the user (and answers the staff check); none reads their groups again.
    assert len([q for q in sql if q.startswith('SELECT "accounts_user"."id"')]) == 1
    assert not [q for q in sql if q.startswith('SELECT "auth_group"')]


def test_a_staff_session_that_skipped_the_second_factor_is_signed_out(client, staff):
    # A login that does not go through allauth (here Django's own), as a future path might.
    assert client.login(email=staff.email, password=PASSWORD)
    response = client.get("/credentials/staff/")
    assert response["Location"] == "/accounts/login/?next=/credentials/staff/"
    assert "_auth_user_id" not in client.session
    for page in STAFF_PAGES:
        assert not _opens(client, page), page


def test_staff_cannot_deactivate_their_only_second_factor(client, staff, user_factory):
    client.force_login(staff)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert "工作人员账户必须保留双因素身份认证" in response.content.decode()
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()

    trainee = user_factory(roles=["trainee"], mfa=True)
    client.force_login(trainee)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/2fa/totp/deactivate/")
    assert not Authenticator.objects.filter(user=trainee, type=Authenticator.Type.TOTP).exists()


def _login_by_code(client, email: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": email})
    assert response["Location"] == "/accounts/login/code/confirm/"
    code = re.search(r"^([A-Z0-9-]{6,})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    return client.post("/accounts/login/code/confirm/", {"code": code})


def test_a_locked_out_user_gets_in_with_a_code_by_email(
        client, user, production_rate_limits, django_capture_on_commit_callbacks):
    for _ in range(5):
        client.post("/accounts/login/", {"login": user.email, "password": "someone-else-guessing"})
    locked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    page = locked.content.decode()
    assert "或使用发送到您邮箱的验证码登录" in page
    assert 'href="/accounts/login/code/' in page

    response = _login_by_code(client, user.email, django_capture_on_commit_callbacks)
    assert response["Location"] == "/me/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_staff_signing_in_by_code_still_need_their_second_factor(
        client, staff, totp_code, django_capture_on_commit_callbacks):
    response = _login_by_code(client, staff.email, django_capture_on_commit_callbacks)
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    assert not _opens(client, "/credentials/staff/")
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(staff)})
    assert _opens(client, "/credentials/staff/")


def test_demo_staff_sign_in_with_the_printed_secret(client, db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "CCSODEMOSTAFFTOTPCCSODEMOSTAFF23" in out.getvalue()
    client.post("/accounts/login/?next=/credentials/staff/",
                {"login": "certs@demo.ccso", "password": "ccso-demo-2026"})
    assert not _opens(client, "/credentials/staff/")
    out = StringIO()
    call_command("demo_totp_code", stdout=out)
    response = client.post("/accounts/2fa/authenticate/", {"code": out.getvalue().strip()})
    assert response["Location"] == "/credentials/staff/"
    assert _opens(client, "/credentials/staff/")
