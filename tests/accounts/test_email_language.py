"""Each person's emails are in the language they chose, whoever's action sends them: chosen at
sign-up, with the language switch or in the profile."""

from __future__ import annotations

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "Ccso-Strong-Pass-2026"


def test_sign_up_in_english_keeps_english_as_the_persons_language(client):
    client.post("/accounts/signup/", {
        "email": "ann@example.com", "name_zh": "安娜", "name_en": "AN Na",
        "password1": PASSWORD, "password2": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert User.objects.get(email="ann@example.com").language == "en"


def test_the_language_switch_also_sets_the_language_of_a_signed_in_persons_emails(
        client, user_factory):
    person = user_factory()
    assert person.language == "zh-hans"
    client.force_login(person)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.cookies["django_language"].value == "en"
    person.refresh_from_db()
    assert person.language == "en"
    # Signed out, the switch still works and stores nothing.
    client.logout()
    assert client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}).status_code == 302
    person.refresh_from_db()
    assert person.language == "en"


def test_the_profile_changes_the_language_of_emails(client, user_factory):
    person = user_factory(name_zh="王五", name_en="WANG Wu")
    client.force_login(person)
    response = client.post("/me/profile/", {"name_zh": "王五", "name_en": "WANG Wu", "phone": "",
                                             "job_title": "", "organisation_name": "",
                                             "language": "en"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "en"
