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

from exams.services import attempt_start
from lms.services import enrolment_create
from tests.exams.conftest import (  # noqa: F401 (fixtures: an exam a candidate may sit)
    candidate,
    complete_course,
    course,
    exam_factory,
    question_factory,
)
from tests.lms.conftest import cohort_factory, course_factory  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
# Bounded: the three runs take about a minute on PostgreSQL here (a 300-example randomized run
# found nothing more). Derandomized, so that a run is reproducible and CI does not fail on a draw
# no previous run made.
FUZZ = settings(max_examples=100, deadline=None, database=None, derandomize=True,
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


def _token(user: Any) -> str:
    response = Client(APP).post("/_allauth/app/v1/auth/login",
                                json={"email": user.email, "password": "pass-Word-123"})
    return json.loads(response.get_data())["meta"]["session_token"]


@pytest.fixture
def session_token(_in_process_app: None, user_factory: Any) -> str:
    return _token(user_factory(roles=["trainee"]))


@pytest.fixture
def own_objects(_in_process_app: None, candidate: Any, exam_factory: Any,  # noqa: F811
                cohort_factory: Any) -> dict[str, Any]:  # noqa: F811
    """A candidate's token and the path parameters of their own open attempt, an exam they may
    sit, a published cohort and their pending enrolment in it: random path parameters are
    almost always a 404, so the bodies of answers and checkouts are fuzzed on real objects."""
    exam = exam_factory(per_module={1: 2})  # not yet started: POST attempts creates one
    attempt, _created = attempt_start(exam=exam_factory(per_module={1: 2}), user=candidate)
    cohort = cohort_factory()
    enrolment = enrolment_create(user=candidate, cohort_id=cohort_factory().pk)
    return {"token": _token(candidate), "path": {
        "exam_id": exam.pk, "attempt_id": attempt.pk, "position": 1, "code": cohort.code,
        "reference": enrolment.reference}}


@schema.parametrize()
@FUZZ
def test_api_signed_out(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_with_app_token(case: Any, session_token: str) -> None:
    case.call_and_validate(headers={"X-Session-Token": session_token}, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_with_app_token_on_own_objects(case: Any, own_objects: dict[str, Any]) -> None:
    for name in case.path_parameters or {}:
        case.path_parameters[name] = own_objects["path"].get(name, case.path_parameters[name])
    case.call_and_validate(headers={"X-Session-Token": own_objects["token"]}, checks=CHECKS)
