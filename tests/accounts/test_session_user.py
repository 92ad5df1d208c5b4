"""The signed-in user is read from the database on every request (accounts.backends, with a
query compiled once per connection): a change to the account counts on the very next request."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.backends import user_with_staff_role

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/accounts/profile"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get(PROFILE).status_code == 200
    return client


def test_a_deactivated_account_is_signed_out_on_the_next_request(user_factory):
    person = user_factory(roles=["candidate"])
    client = _signed_in(person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert client.get(PROFILE).status_code == 401


def test_a_password_changed_elsewhere_signs_this_browser_out(user_factory):
    person = user_factory(roles=["candidate"])
    client = _signed_in(person)
    person.set_password("another-Pass-456")
    person.save(update_fields=["password"])
    assert client.get(PROFILE).status_code == 401


def test_a_name_changed_elsewhere_shows_on_the_next_request(user_factory):
    person = user_factory(roles=["candidate"], name_zh="张三")
    client = _signed_in(person)
    person.name_zh = "李四"
    person.save(update_fields=["name_zh"])
    assert client.get(PROFILE).json()["name_zh"] == "李四"


def test_a_session_of_a_deleted_account_is_nobody(user_factory):
    person = user_factory(roles=["candidate"])
    client = _signed_in(person)
    session = client.session
    session[SESSION_KEY] = str(person.pk + 1000)
    session.save()
    assert client.get(PROFILE).status_code == 401
    assert user_with_staff_role(person.pk + 1000) is None
    assert user_with_staff_role("not-an-id") is None


def test_the_loaded_user_is_the_whole_row_with_the_staff_answer(user_factory):
    staff = user_factory(roles=["exam_admin"], name_zh="王五")
    candidate = user_factory(roles=["candidate"])
    loaded = user_with_staff_role(staff.pk)
    assert (loaded.pk, loaded.email, loaded.name_zh, loaded.is_active) == (
        staff.pk, staff.email, "王五", True)
    assert loaded.password == staff.password and loaded.date_joined == staff.date_joined
    assert loaded.loaded_staff_role is True
    assert user_with_staff_role(candidate.pk).loaded_staff_role is False
