"""Through the API with the app token, a person reads and changes their own profile: the web
profile form's fields and checks, and the same audit of what changed."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Organisation
from core.models import AuditEntry
from tests.app_token import app_headers, as_json

PROFILE = "/api/v1/accounts/profile"


@pytest.fixture
def app() -> Client:
    return Client(enforce_csrf_checks=True)


def test_a_person_reads_and_changes_their_profile(app, user):
    headers = app_headers(app, user)
    before = app.get(PROFILE, **headers).json()
    assert before["email"] == user.email and before["name_zh"] == user.name_zh

    response = app.patch(PROFILE, **headers, **as_json({
        "name_en": "ZHANG San", "phone": "13800138000", "job_title": "运营经理",
        "organisation_name": "示例银行客服中心", "language": "en"}))
    assert response.status_code == 200, response.content
    assert response.json() == {**before, "name_en": "ZHANG San", "phone": "13800138000",
                               "job_title": "运营经理", "organisation_name": "示例银行客服中心",
                               "language": "en"}
    user.refresh_from_db()
    assert (user.name_en, user.language, user.organisation.name) == (
        "ZHANG San", "en", "示例银行客服中心")
    entry = AuditEntry.objects.get(action="accounts.profile.updated")
    assert entry.actor == user and entry.data["name_en"]["to"] == "ZHANG San"

    # Fields left out keep their values.
    assert app.patch(PROFILE, **headers, **as_json({"job_title": "总监"})).json()[
        "name_en"] == "ZHANG San"


@pytest.mark.parametrize("fields", [
    {"name_zh": ""}, {"phone": "call me"}, {"language": "fr"},
    {"name_en": "ZHANG\u202eSan"}, {"organisation_name": "示例\u202e公司"},
])
def test_the_profile_refuses_what_the_page_refuses(app, user, fields):
    response = app.patch(PROFILE, **app_headers(app, user), **as_json(fields))
    assert response.status_code in (400, 422), response.content
    user.refresh_from_db()
    assert user.name_zh and user.phone == "" and user.language != "fr"
    assert "\u202e" not in user.name_en and not Organisation.objects.exists()


def test_signed_out_callers_get_401(app):
    assert app.get(PROFILE).status_code == 401
    assert app.patch(PROFILE, **as_json({"name_en": "X"})).status_code == 401


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_profile_saves_outside_a_test_transaction_on_postgresql(user_factory):
    """As in production (autocommit): the row lock the update takes needs its own transaction."""
    user = user_factory(roles=["trainee"])
    app = Client(enforce_csrf_checks=True)
    response = app.patch(PROFILE, **app_headers(app, user), **as_json({"job_title": "主管"}))
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.job_title == "主管"
