"""The versioned JSON API at /api/v1/. Each project app with an `api` module contributes a
`router`, mounted at /api/v1/<app>/ (core's at the root)."""

from __future__ import annotations

import importlib
import importlib.util

from django.conf import settings

from core.api_errors import CcsoNinjaAPI

api = CcsoNinjaAPI(
    title="CCSO Academy API",
    version="1",
    description="Public standard, training, exams and credentials; used by the web and the "
    "WeChat mini-program. Signed-in calls use the browser session (with CSRF) or, for app "
    "clients, the X-Session-Token from POST /_allauth/app/v1/auth/login. Every error body is "
    "ErrorOut (`detail`, and `code` where there is one), except the 422 of a request that does "
    "not fit the schema (ValidationErrorOut).",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)

for app_name in settings.PROJECT_APPS:
    if importlib.util.find_spec(f"{app_name}.api") is None:
        continue
    module = importlib.import_module(f"{app_name}.api")
    prefix = "/" if app_name == "core" else f"/{app_name}/"
    api.add_router(prefix, module.router)
