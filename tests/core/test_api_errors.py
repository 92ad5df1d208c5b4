"""The OpenAPI schema says what the API answers: one error shape under one name, and the errors
any operation can give (input refused, not signed in, CSRF, not found, schema mismatch)."""

from __future__ import annotations

import importlib
import inspect

from django.conf import settings
from ninja import Schema

from config.api import api


def test_no_two_api_schemas_share_a_name():
    # OpenAPI components are keyed by class name: a second `ErrorOut` silently replaced the
    # first, so lms errors were documented with exams' shape.
    owners: dict[str, set[str]] = {}
    for app in settings.PROJECT_APPS:
        try:
            module = importlib.import_module(f"{app}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) and value is not Schema:
                owners.setdefault(name, set()).add(f"{value.__module__}.{value.__qualname__}")
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}


def test_every_operation_documents_the_errors_it_can_answer():
    schema = api.get_openapi_schema()
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"] and set(error["properties"]) == {"detail", "code"}
    checkout = schema["paths"]["/api/v1/lms/enrolments/{reference}/checkout"]["post"]
    assert {"400", "401", "403", "404", "422"} <= set(checkout["responses"])
    assert checkout["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"}
    health = schema["paths"]["/api/v1/health"]["get"]["responses"]
    assert "400" in health and not {"401", "404", "422"} & set(health)
    assert schema["components"]["schemas"]["ValidationErrorOut"]["properties"]["detail"][
        "type"] == "array"
