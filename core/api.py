"""Platform endpoints: health and who-am-I."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from .api_auth import signed_in
from .services import BROKER_ERRORS
from .typing import AuthenticatedHttpRequest

router = Router(tags=["platform"])
logger = logging.getLogger(__name__)


class LiveOut(Schema):
    status: str


class CheckOut(Schema):
    status: str = Field(description='"ok", "error", "eager" (Celery runs in-process: no broker) '
                        'or "degraded" (serving without Redis: cache from memory, sessions '
                        'from the database, tasks kept in the outbox until the broker returns)')
    reason: str = ""


class ReadyOut(Schema):
    status: str = Field(description='"ok", or "unavailable" when a required dependency failed')
    checks: dict[str, CheckOut]


class MeOut(Schema):
    id: int
    email: str
    name_zh: str
    name_en: str
    organisation: str | None
    roles: list[str]
    is_staff: bool
    language: str


# --- Health: liveness (the process answers) and readiness (its dependencies answer). Each
# check is bounded by its client's short timeouts (REDIS_CACHE_OPTIONS, the broker's below), so
# a dead dependency makes the probe fail in about a second rather than hang.
BROKER_TIMEOUT_SECONDS = 1.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_cache() -> str:
    key = f"health-probe-{uuid.uuid4().hex}"
    cache.set(key, "ok", 5)
    if cache.get(key) != "ok":
        raise RuntimeError("the value written was not read back")
    cache.delete(key)
    # core.cache.DegradingRedisCache serves without Redis: the node stays in the pool (every
    # node shares the Redis, so taking them out would turn an outage of Redis into one of the
    # site) and the probe says that Redis is missing.
    return "degraded" if getattr(cache, "degraded", False) else "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    options = {**current_app.conf.broker_transport_options,
               "socket_timeout": BROKER_TIMEOUT_SECONDS}
    try:
        with current_app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS,
                                              transport_options=options) as broker:
            broker.ensure_connection(max_retries=0)
    except BROKER_ERRORS as exc:
        # Tasks queued meanwhile wait in the outbox (core.services.task_queue): the node still
        # serves, so it stays in the pool, as for the cache.
        logger.warning("readiness: broker unreachable, tasks go to the outbox: %s: %s",
                       type(exc).__name__, exc)
        return "degraded"
    return "ok"


def _check_storage() -> None:
    # Only the storage API: the same probe works on the file system and on S3.
    name = default_storage.save(f"health/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != b"ok":
                raise RuntimeError("the file written was not read back")
    finally:
        default_storage.delete(name)


HEALTH_CHECKS: dict[str, Callable[[], str | None]] = {
    "database": _check_database,
    "cache": _check_cache,
    "broker": _check_broker,
    "storage": _check_storage,
}


def _readiness() -> Status[ReadyOut]:
    checks = {}
    for name, check in HEALTH_CHECKS.items():
        try:
            checks[name] = CheckOut(status=check() or "ok")
        except Exception as exc:
            # The public answer names the failure's kind; the log keeps its details.
            logger.warning("readiness: %s failed: %s: %s", name, type(exc).__name__, exc)
            checks[name] = CheckOut(status="error", reason=type(exc).__name__)
    ready = all(check.status != "error" for check in checks.values())
    return Status(200 if ready else 503,
                  ReadyOut(status="ok" if ready else "unavailable", checks=checks))


@router.get("/health/live", response=LiveOut, auth=None)
def health_live(request: HttpRequest) -> LiveOut:
    """200 while the process serves requests; asks no dependency (restart only if this fails)."""
    return LiveOut(status="ok")


@router.get("/health/ready", response={200: ReadyOut, 503: ReadyOut}, auth=None)
def health_ready(request: HttpRequest) -> Status[ReadyOut]:
    """200 when the database, cache, Celery broker and file storage all answer; 503 (take the
    node out of the pool) naming what failed. A cache that serves without Redis (core.cache)
    is "degraded", not failed."""
    return _readiness()


@router.get("/health", response={200: ReadyOut, 503: ReadyOut}, auth=None)
def health(request: HttpRequest) -> Status[ReadyOut]:
    """The readiness check, at its original address."""
    return _readiness()


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
