"""Schemathesis (on Hypothesis) against /api/v1/openapi.json, on PostgreSQL, with the app called
in process through WSGI: signed out and with an app session token, every response must be no
server error, carry a documented status code and content type, and match its schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks
from werkzeug.test import Client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# Bounded so that the two runs add about two minutes to CI; derandomized so that a run is
# reproducible and CI does not fail on a draw a previous run never made.
FUZZ = settings(max_examples=30, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _in_process_app() -> Iterator[None]:
    """The app runs inside the test's transaction: as Django's test client does, keep the end
    of each request from closing the database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def session_token(_in_process_app: None, user_factory: Any) -> str:
    user = user_factory(roles=["trainee"])
    response = Client(APP).post("/_allauth/app/v1/auth/login",
                                json={"email": user.email, "password": "pass-Word-123"})
    return json.loads(response.get_data())["meta"]["session_token"]


@schema.parametrize()
@FUZZ
def test_api_signed_out(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_with_app_token(case: Any, session_token: str) -> None:
    case.call_and_validate(headers={"X-Session-Token": session_token}, checks=CHECKS)
