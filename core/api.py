"""Platform endpoints: health and who-am-I."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

from .api_auth import signed_in
from .typing import AuthenticatedHttpRequest

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str
    database: bool
    cache: bool


class MeOut(Schema):
    id: int
    email: str
    name_zh: str
    name_en: str
    organisation: str | None
    roles: list[str]
    is_staff: bool
    language: str


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None)
def health(request: HttpRequest) -> Status[HealthOut]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception:
        database_ok = False
    try:
        cache.set("health-probe", "ok", 5)
        cache_ok = cache.get("health-probe") == "ok"
    except Exception:
        cache_ok = False
    healthy = database_ok and cache_ok
    body = HealthOut(status="ok" if healthy else "degraded", database=database_ok, cache=cache_ok)
    return Status(200 if healthy else 503, body)


@router.get("/me", response=MeOut, auth=signed_in)
def me(request: AuthenticatedHttpRequest) -> MeOut:
    from accounts.selectors import user_role_slugs

    user = request.user
    return MeOut(
        id=user.pk,
        email=user.email,
        name_zh=user.name_zh,
        name_en=user.name_en,
        organisation=user.organisation.name if user.organisation else None,
        roles=user_role_slugs(user),
        is_staff=user.is_staff,
        language=request.LANGUAGE_CODE,
    )
