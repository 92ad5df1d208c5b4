"""Liveness and readiness for load balancers: real dependencies made to fail, not mocks.

A "dead" Redis here is a socket that accepts connections and never answers (the case that hangs
a client without timeouts); a closed port is one that refuses at once. Without Redis the node
still serves (core.cache, the task outbox), so the probe says "degraded" and keeps it in the
pool: every node shares the Redis, and taking them all out would take the site down.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import override_settings

from config.settings.base import redis_caches

pytestmark = pytest.mark.django_db

# The platform's timeouts are 1 s; without them a silent broker holds the probe for ever and a
# silent Redis cache for redis-py's default 5 s. The bound leaves room for a busy machine.
PROBE_BOUND_SECONDS = 4


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _redis_cache(url: str) -> dict:
    return redis_caches(url)


def test_ready_reports_every_dependency_and_live_asks_none(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        live = client.get("/api/v1/health/live")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {
        "database": {"status": "ok", "reason": ""},
        "cache": {"status": "ok", "reason": ""},
        "broker": {"status": "eager", "reason": ""},
        "storage": {"status": "ok", "reason": ""},
    }}
    # The old address answers as readiness.
    assert client.get("/api/v1/health").json() == ready.json()


def _broker_at(monkeypatch: pytest.MonkeyPatch, url: str) -> override_settings:
    """Celery without eager mode, on `url`: Celery prefers CELERY_BROKER_URL in the environment
    (set under `make test-services`) to the setting, so both say it."""
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    return override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=url)


def test_a_dead_redis_is_reported_quickly_and_the_node_keeps_serving(client, silent_port):
    with override_settings(CACHES=_redis_cache(f"redis://127.0.0.1:{silent_port}/0")):
        started = time.monotonic()
        ready = client.get("/api/v1/health/ready")
        elapsed = time.monotonic() - started
        live = client.get("/api/v1/health/live")

    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "cache": "degraded", "broker": "eager", "storage": "ok"}
    assert elapsed < PROBE_BOUND_SECONDS
    assert live.status_code == 200


def test_an_unreachable_broker_is_reported_when_celery_is_not_eager(
    client, monkeypatch, closed_port
):
    with _broker_at(monkeypatch, f"redis://127.0.0.1:{closed_port}/0"):
        refused = client.get("/api/v1/health/ready")
        alive = client.get("/api/v1/health/live")

    # Tasks queued meanwhile wait in the outbox: the node serves on.
    assert refused.status_code == 200
    assert refused.json()["checks"]["broker"] == {"status": "degraded", "reason": ""}
    assert alive.status_code == 200


def test_a_silent_broker_fails_within_the_bound(client, monkeypatch, silent_port):
    with _broker_at(monkeypatch, f"redis://127.0.0.1:{silent_port}/0"):
        started = time.monotonic()
        ready = client.get("/api/v1/health/ready")
        elapsed = time.monotonic() - started

    assert ready.status_code == 200
    assert ready.json()["checks"]["broker"]["status"] == "degraded"
    assert elapsed < PROBE_BOUND_SECONDS


def test_storage_that_cannot_be_written_is_reported(client, tmp_path):
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("")
    storages = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(not_a_directory / "media")}}}
    with override_settings(STORAGES=storages):
        ready = client.get("/api/v1/health/ready")

    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["storage"]["status"] == "error"
    assert checks["database"]["status"] == checks["cache"]["status"] == "ok"


def test_the_storage_probe_leaves_nothing_behind(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert client.get("/api/v1/health/ready").status_code == 200
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.celery_worker  # needs the Redis of `make test-services` (no worker)
def test_with_a_live_redis_broker_and_cache_the_node_is_ready(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False,
                           CACHES=_redis_cache(settings.CELERY_BROKER_URL)):
        ready = client.get("/api/v1/health/ready")

    assert ready.status_code == 200, ready.json()
    assert {name: check["status"] for name, check in ready.json()["checks"].items()} == {
        "database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"}
