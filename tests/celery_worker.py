"""A real Celery worker process on the configured broker (Redis), sharing the test database.

A pytest plugin (tests/conftest.py loads it) so any app's tests can send tasks to a worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[1]  # the repository


def _database_url() -> str:
    """The URL of the database this test run is using (pytest-django's test database)."""
    s = connection.settings_dict
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{s['NAME']}"


class CeleryWorkers:
    """Worker processes on one queue of this test's own, started on demand (`start`): a test
    can kill one and let another take its tasks over. All share the test database and write
    mail to `mail_dir`."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        # A queue of its own, for the tasks the test sends and for those the worker's tasks
        # send in turn, so no other worker on the broker takes them.
        self.queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
        self.started: list[subprocess.Popen] = []

    def start(self, name: str = "worker", *, env: dict[str, str] | None = None,
              pool: str = "solo", through: tuple[str, ...] = ()) -> tuple[subprocess.Popen, Path]:
        """Start `celery worker` (run by tests.clock, then by each module of `through`, e.g.
        tests.worker_pause), wait until it is ready and return the process and its log."""
        environ = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            **(env or {}),
        }
        log_path = self.tmp_path / f"{name}.log"
        with log_path.open("w") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "tests.clock", *through, "celery", "-A", "config",
                 "worker",
                 f"--pool={pool}", "--concurrency=1", "--without-gossip", "--without-mingle",
                 "--loglevel=INFO", "--hostname", f"{name}-{self.queue}@%h",
                 "--queues", self.queue],
                cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT,
            )
        self.started.append(worker)
        _wait_until_ready(log_path, worker)
        return worker, log_path

    def stop_all(self) -> None:
        for worker in self.started:
            if worker.poll() is None:
                worker.terminate()
        for worker in self.started:
            worker.wait(timeout=30)


@pytest.fixture
def celery_workers(transactional_db: None, tmp_path: Path) -> Iterator[CeleryWorkers]:
    """Tasks go through the broker to worker processes the test starts (the suite otherwise
    runs tasks eagerly)."""
    workers = CeleryWorkers(tmp_path)
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = workers.queue
    try:
        yield workers
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        workers.stop_all()


@pytest.fixture
def celery_worker_process(celery_workers: CeleryWorkers) -> dict[str, Path]:
    """One `celery worker` as a separate process, for the duration of the test."""
    _worker, log_path = celery_workers.start()
    return {"mail_dir": celery_workers.mail_dir, "log": log_path}


@pytest.fixture
def broker_queue() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Tasks go to the broker (the in-memory one, or Redis under `make test-services`) on a
    queue of this test's own, with no worker: as when the workers are busy. Returns a function
    that takes the queued tasks off the queue, as a worker would, without running them."""
    queue = f"test-queued-{uuid.uuid4().hex}"
    previous = (celery_app.conf.task_always_eager, celery_app.conf.task_default_queue)
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue

    def take() -> list[dict[str, Any]]:
        taken = []
        with celery_app.connection_for_read() as connection:
            simple = connection.SimpleQueue(queue, no_ack=True)
            while True:
                try:
                    message = simple.get_nowait()
                except simple.Empty:
                    break
                _args, kwargs, _embed = message.decode()
                taken.append({"task": message.headers["task"], "kwargs": kwargs})
            simple.close()
        return taken

    try:
        yield take
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous


def _wait_until_ready(log_path: Path, worker: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"Celery worker exited early:\n{log_path.read_text()}")
        if "ready." in log_path.read_text():
            return
        time.sleep(0.3)
    pytest.fail(f"Celery worker not ready after {timeout}s:\n{log_path.read_text()}")


def wait_for(condition, timeout: float = 30, interval: float = 0.3):  # type: ignore[no-untyped-def]
    """Poll until `condition()` returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()
