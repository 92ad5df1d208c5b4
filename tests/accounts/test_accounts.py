import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings

from accounts.models import User
from accounts.roles import ROLE_LABELS
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "Ccso-Strong-Pass-2026"


def _sign_up(client, capture_on_commit, email="li.lei@example.com"):
    # Mail is queued for Celery when the transaction commits.
    with capture_on_commit(execute=True):
        return client.post(
        "/accounts/signup/",
            {
                "email": email,
                "name_zh": "李雷",
                "name_en": "LI Lei",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )


def test_sign_up_records_certificate_names_and_makes_a_trainee(
    client, django_capture_on_commit_callbacks
):
    _sign_up(client, django_capture_on_commit_callbacks)
    person = User.objects.get(email="li.lei@example.com")
    assert (person.name_zh, person.name_en) == ("李雷", "LI Lei")
    assert list(person.groups.values_list("name", flat=True)) == ["trainee"]
    assert len(mail.outbox) == 1
    assert "confirm-email" in mail.outbox[0].body


def test_unverified_email_cannot_sign_in_until_confirmed(
    client, django_capture_on_commit_callbacks
):
    _sign_up(client, django_capture_on_commit_callbacks)
    client.logout()
    response = client.post("/accounts/login/", {"login": "li.lei@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session

    key = re.search(r"/accounts/confirm-email/([^/]+)/", mail.outbox[-1].body).group(1)
    client.post(f"/accounts/confirm-email/{key}/")
    assert EmailAddress.objects.get(email="li.lei@example.com").verified
    client.logout()
    response = client.post("/accounts/login/", {"login": "li.lei@example.com", "password": PASSWORD})
    assert response["Location"] == "/me/"


def test_sign_up_with_mismatched_passwords_keeps_the_form_with_an_error(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "x@example.com", "name_zh": "某人", "password1": PASSWORD, "password2": "other"},
    )
    assert response.status_code == 200
    assert "x@example.com" in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_password_reset_by_email(client, user_factory, django_capture_on_commit_callbacks):
    person = user_factory(email="reset@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "reset@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    client.post(form_path, {"password1": "Brand-New-Pass-99", "password2": "Brand-New-Pass-99"})
    person.refresh_from_db()
    assert person.check_password("Brand-New-Pass-99")


def test_profile_edit_saves_names_and_employer_and_audits_the_change(client, user):
    client.force_login(user)
    response = client.post(
        "/me/profile/",
        {
            "name_zh": "张伟",
            "name_en": "ZHANG Wei",
            "phone": "13800138000",
            "job_title": "运营经理",
            "organisation_name": "上海示例客服有限公司",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name_zh == "张伟"
    assert user.organisation.name == "上海示例客服有限公司"
    entry = AuditEntry.objects.get(action="accounts.profile.updated")
    assert entry.data["name_zh"]["to"] == "张伟"


def test_profile_rejects_a_bad_phone_and_changes_nothing(client, user):
    client.force_login(user)
    before = user.name_zh
    response = client.post("/me/profile/", {"name_zh": "新名字", "phone": "call me"})
    assert response.status_code == 200
    assert "请输入数字电话号码" in response.content.decode()
    user.refresh_from_db()
    assert user.name_zh == before


def test_dashboard_and_profile_require_sign_in(client):
    assert client.get("/me/")["Location"].startswith("/accounts/login/")
    assert client.get("/me/profile/")["Location"].startswith("/accounts/login/")


def test_every_role_is_a_group_with_explicit_permissions():
    groups = {g.name: g for g in Group.objects.prefetch_related("permissions")}
    assert set(ROLE_LABELS) <= set(groups)
    for role in ROLE_LABELS:
        assert groups[role].permissions.exists(), role
    editor_perms = {p.codename for p in groups["content_editor"].permissions.all()}
    assert "access_admin" in editor_perms
    trainee_perms = {p.codename for p in groups["trainee"].permissions.all()}
    assert "access_admin" not in trainee_perms


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "3/m/ip"})
def test_repeated_failed_logins_are_rate_limited(client, user_factory):
    user_factory(email="target@example.com")
    pages = [
        client.post("/accounts/login/", {"login": "target@example.com", "password": "wrong"})
        for _ in range(4)
    ]
    assert all("登录失败次数过多" not in p.content.decode() for p in pages[:3])
    assert "登录失败次数过多" in pages[3].content.decode()
    # Even the right password is refused while the limit holds.
    blocked = client.post(
        "/accounts/login/", {"login": "target@example.com", "password": "pass-Word-123"}
    )
    assert "_auth_user_id" not in client.session
    assert blocked.status_code == 200


def test_staff_member_enrols_totp_two_factor(client, user_factory):
    staff = user_factory(email="staff@example.com", is_staff=True, roles=["exam_admin"], mfa=False)
    client.post("/accounts/login/", {"login": "staff@example.com", "password": "pass-Word-123"})
    # Security settings ask for the password again before a second factor is added.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": "pass-Word-123"})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(secret, counter))
    client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()


def test_sign_up_without_a_latin_name_suggests_it_from_the_chinese_and_asks_to_confirm(client):
    form = {"email": "ouyang@example.com", "name_zh": "欧阳修", "name_en": "",
            "password1": PASSWORD, "password2": PASSWORD}
    asked = client.post("/accounts/signup/", form)
    body = asked.content.decode()
    assert asked.status_code == 200 and not User.objects.filter(email="ouyang@example.com").exists()
    assert "证书上将印的姓名：OUYANG Xiu" in body
    assert re.search(r'name="name_en"[^>]*value="OUYANG Xiu"', body)

    confirmed = client.post("/accounts/signup/", {**form, "name_en": "OUYANG Xiu"})
    assert confirmed.status_code == 302
    assert User.objects.get(email="ouyang@example.com").name_en == "OUYANG Xiu"


def test_a_name_not_in_chinese_characters_must_be_given_in_latin_letters(client):
    asked = client.post("/accounts/signup/", {
        "email": "anna@example.com", "name_zh": "Anna", "name_en": "",
        "password1": PASSWORD, "password2": PASSWORD})
    assert asked.status_code == 200 and "请用拉丁字母填写证书上要印的姓名" in asked.content.decode()
    assert not User.objects.filter(email="anna@example.com").exists()


@pytest.mark.parametrize(("chinese", "latin"), [
    ("张三", "ZHANG San"), ("李小龙", "LI Xiaolong"), ("欧阳修", "OUYANG Xiu"),
    ("单雄信", "SHAN Xiongxin"), ("曾国藩", "ZENG Guofan"), ("吕布", "LYU Bu"), ("王", ""),
    ("John Smith", ""),
])
def test_the_suggested_latin_name_reads_the_family_name_as_a_family_name(chinese, latin):
    from accounts.names import pinyin_name_suggestion

    assert pinyin_name_suggestion(chinese) == latin
