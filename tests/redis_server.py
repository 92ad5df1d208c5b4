"""A private `redis-server` in a temporary folder, on a free port, that a test or a fault script
may stop and start again on the same port: never the machine's shared Redis.

No persistence (no RDB, no AOF): what these servers test is Redis going away, and a restarted
one comes back empty, as a Redis without persistence does in production.

Also a pytest plugin (tests/conftest.py loads it): `redis_everywhere` puts the cache, the
sessions and the Celery broker on a private server, as production has them on one Redis.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.postgres_cluster import free_port


class RedisServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ccso-redis-"))
        self.port = free_port()
        self.log = self.root / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self, timeout: float = 10) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--dir", str(self.root), "--save", "", "--appendonly", "no",
             "--logfile", str(self.log)],
            cwd=self.root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}: "
                           f"{self.log.read_text() if self.log.exists() else ''}")

    def stop(self) -> None:
        """Stop the server (SIGTERM) and wait until the port refuses connections."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.fixture
def redis_everywhere(redis_server: RedisServer, settings: Any,
                     monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """Production's Redis settings (`config.settings.base.redis_caches`, cached_db sessions) on
    the private server (db 0), and Celery publishing to it (db 1) on a queue of this test's own
    with no worker; `redis_server.stop()` / `.start()` make the outage."""
    from celery import current_app

    from config.settings.base import redis_caches
    from core import services

    settings.CACHES = redis_caches(redis_server.url(0))
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "sessions"
    broker = redis_server.url(1)
    conf = current_app.conf
    # Read before the environment changes: `conf.broker_url` answers CELERY_BROKER_URL first.
    previous = (conf.broker_url, conf.task_always_eager, conf.task_default_queue)
    # Celery prefers the environment's CELERY_BROKER_URL (set under `make test-services`).
    monkeypatch.setenv("CELERY_BROKER_URL", broker)
    monkeypatch.setattr(services, "_broker_retry_at", 0.0)
    conf.broker_url, conf.task_always_eager = broker, False
    conf.task_default_queue = f"test-outage-{uuid.uuid4().hex}"
    _forget_broker_connections(current_app)
    try:
        yield redis_server
    finally:
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = previous
        _forget_broker_connections(current_app)


def _forget_broker_connections(app: Any) -> None:
    # Celery keeps its connection and producer pools for the URL it first used; the next
    # publish builds them again for the URL now configured (as Celery does after a fork).
    app._pool = None
    app.amqp._producer_pool = None


def queued_tasks(broker_url: str, queue: str) -> list[dict[str, Any]]:
    """The tasks waiting on `queue`, taken off it as a worker would take them (kombu)."""
    from kombu import Connection

    taken = []
    with Connection(broker_url, connect_timeout=2) as connection:
        simple = connection.SimpleQueue(queue, no_ack=True)
        while True:
            try:
                message = simple.get(timeout=0.2)
            except simple.Empty:
                break
            args, kwargs, _embed = message.decode()
            taken.append({"task": message.headers["task"], "id": message.headers["id"],
                          "args": args, "kwargs": kwargs})
        simple.close()
    return taken
