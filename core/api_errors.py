"""The API's one error shape, and the errors every operation can answer, documented in the
OpenAPI schema so that generated clients parse them."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema


class ErrorOut(Schema):
    """Every error body: `detail` is a sentence for people (in the request's language), `code`
    a stable word for programs where the error has one (`invalid_input`, `duplicate`, …)."""

    detail: str
    code: str | None = None


class ValidationErrorOut(Schema):
    """A request that does not fit the operation's schema (django-ninja's 422): one entry per
    problem, with where it is (`loc`) and what is wrong (`msg`)."""

    detail: list[dict[str, Any]]


_COMMON_ERRORS = (
    # (status, applies to the operation?, model, description)
    ("400", lambda path, method, operation: True, ErrorOut,
     "Input refused: a control character or text that is not UTF-8 anywhere in the request, "
     "or a body that is not JSON."),
    ("401", lambda path, method, operation: bool(operation.get("security")), ErrorOut,
     "Not signed in: no valid session cookie or X-Session-Token."),
    ("403", lambda path, method, operation: bool(operation.get("security"))
     and method not in ("get", "head", "options"), ErrorOut,
     "A browser session's change without a valid CSRF token."),
    ("404", lambda path, method, operation: "{" in path, ErrorOut, "Not found."),
    ("422", lambda path, method, operation: bool(operation.get("parameters")
                                                 or operation.get("requestBody")),
     ValidationErrorOut, "The request does not fit this operation's schema."),
)


def _ref(model: type[Schema]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {
        "$ref": f"#/components/schemas/{model.__name__}"}}}}


class CcsoNinjaAPI(NinjaAPI):
    """NinjaAPI whose schema lists the errors any operation can answer besides those it declares:
    the input-hygiene 400 (core.middleware), 401 on signed-in operations and 403 on their changes
    (CSRF), 404 where the path names an object, and the 422 of a request that fails the
    schema."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ValidationErrorOut):
            components[model.__name__] = model.model_json_schema(
                ref_template="#/components/schemas/{model}")
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                for status, applies, model, description in _COMMON_ERRORS:
                    if status not in responses and applies(path, method, operation):
                        responses[status] = {"description": description, **_ref(model)}
        return schema


def form_errors_text(form: Any) -> str:
    """A bound form's (or formset's) errors as one line for the caller: "Label: message; …".
    The API validates input with the page's own form, so it refuses what the page refuses."""
    from django.forms import BaseFormSet

    if isinstance(form, BaseFormSet):
        parts = [form_errors_text(f) for f in form.forms if f.errors]
        parts += [str(e) for e in form.non_form_errors()]
        return "; ".join(p for p in parts if p)
    return "; ".join(
        f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}" if name in form.fields
        else " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
    )


def form_error(form: Any) -> ErrorOut:
    """The 400 body for input the page's form refuses."""
    return ErrorOut(code="invalid", detail=form_errors_text(form))
