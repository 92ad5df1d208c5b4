"""An app client (the WeChat mini-program) signs in through allauth's headless API and sits an
exam with only the session token: no cookies, no CSRF token, and still no keys before the end."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from exams.models import Attempt

PASSWORD = "pass-Word-123"  # user_factory's default
LOGIN = "/_allauth/app/v1/auth/login"


@pytest.fixture
def app_client() -> Client:
    """A client that keeps no cookies between requests and enforces CSRF like a browser would."""
    client = Client(enforce_csrf_checks=True)
    client.cookies.clear()
    return client


def _sign_in(app_client: Client, email: str, password: str = PASSWORD) -> str:
    response = app_client.post(LOGIN, data=json.dumps({"email": email, "password": password}),
                               content_type="application/json")
    assert response.status_code == 200, response.content
    app_client.cookies.clear()
    return response.json()["meta"]["session_token"]


def test_the_app_signs_in_and_sits_an_exam_with_its_session_token(app_client, candidate,
                                                                   exam_factory):
    exam = exam_factory(per_module={1: 2, 2: 2})
    headers = {"HTTP_X_SESSION_TOKEN": _sign_in(app_client, candidate.email)}

    me = app_client.get("/api/v1/me", **headers)
    assert me.status_code == 200 and me.json()["email"] == candidate.email

    started = app_client.post(f"/api/v1/exams/{exam.pk}/attempts", **headers)
    assert started.status_code == 201, started.content
    paper = started.json()
    assert "correct" not in json.dumps(paper)
    attempt = Attempt.objects.get(pk=paper["attempt_id"], user=candidate)
    for item in attempt.items.select_related("version"):
        saved = app_client.put(
            f"/api/v1/exams/attempts/{attempt.pk}/answers/{item.position}", **headers,
            data=json.dumps({"selected": item.version.correct_keys, "seq": item.position}),
            content_type="application/json")
        assert saved.json()["applied"] is True
    result = app_client.post(f"/api/v1/exams/attempts/{attempt.pk}/submit", **headers).json()
    assert (result["passed"], result["score_percent"]) == (True, "100.00")


def test_a_wrong_password_gets_no_token(app_client, candidate):
    response = app_client.post(LOGIN, data=json.dumps({"email": candidate.email,
                                                       "password": "wrong-Password-1"}),
                               content_type="application/json")
    assert response.status_code == 400
    assert "session_token" not in json.dumps(response.json())


def test_a_forged_or_signed_out_token_is_refused(app_client, candidate, exam_factory):
    exam = exam_factory()
    assert app_client.get("/api/v1/me", HTTP_X_SESSION_TOKEN="forged-token").status_code == 401

    token = _sign_in(app_client, candidate.email)
    assert app_client.delete("/_allauth/app/v1/auth/session",
                             HTTP_X_SESSION_TOKEN=token).status_code == 401
    assert app_client.post(f"/api/v1/exams/{exam.pk}/attempts",
                           HTTP_X_SESSION_TOKEN=token).status_code == 401
    assert not Attempt.objects.exists()


def test_a_browser_session_still_needs_its_csrf_token(candidate, exam_factory):
    exam = exam_factory()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(candidate)

    assert browser.post(f"/api/v1/exams/{exam.pk}/attempts").status_code == 403
    assert not Attempt.objects.exists()
    browser.get("/exams/")  # the page sets the CSRF cookie the script then echoes
    token = browser.cookies["csrftoken"].value
    assert browser.post(f"/api/v1/exams/{exam.pk}/attempts",
                        HTTP_X_CSRFTOKEN=token).status_code == 201
