"""allauth's emails (verification, password reset, notices) are in the recipient's language
with the platform's greeting and signature, not allauth's "Hello from …!"."""

from __future__ import annotations

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db
PASSWORD = "Ccso-Strong-Pass-2026"


def sign_up(client, language: str) -> None:
    client.post("/accounts/signup/", {
        "email": "ann@example.com", "name_zh": "安娜", "name_en": "AN Na",
        "password1": PASSWORD, "password2": PASSWORD}, HTTP_ACCEPT_LANGUAGE=language)


def test_the_verification_email_greets_in_chinese_and_signs_as_the_platform(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "zh-hans")
    (message,) = mail.outbox
    assert message.body.startswith("安娜，您好：")
    assert "此致\nCCSO 学院\nhttp://" in message.body
    assert "Hello" not in message.body and "Thank you for using" not in message.body
    assert "[CCSO]" in message.subject and "电子邮件" in message.subject


def test_the_verification_email_of_an_english_sign_up_is_english(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "en")
    (message,) = mail.outbox
    assert message.body.startswith("Dear AN Na,")
    assert "With kind regards,\nCCSO Academy\n" in message.body
    assert "Hello from" not in message.body
    assert "Confirm" in message.subject


def test_a_password_reset_is_in_the_account_holders_language_not_the_browsers(
        client, user_factory, django_capture_on_commit_callbacks):
    user_factory(email="wang@example.com", name_zh="王五", name_en="WANG Wu", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "wang@example.com"},
                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    (message,) = mail.outbox
    assert message.body.startswith("Dear WANG Wu,")
    assert "password reset" in message.body
    assert "With kind regards,\nCCSO Academy" in message.body


def test_a_reset_for_an_address_no_one_has_still_speaks_the_platforms_words(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "nobody@example.com"},
                    HTTP_ACCEPT_LANGUAGE="zh-hans")
    (message,) = mail.outbox
    assert message.body.startswith("您好：")
    assert "Hello" not in message.body and "CCSO 学院" in message.body


def test_allauths_pages_say_email_in_chinese(client, user_factory):
    client.force_login(user_factory())
    html = client.get("/accounts/email/").content.decode()
    assert "电子邮件地址" in html
    assert "Email地址" not in html and "添加Email" not in html  # allauth's own Chinese
