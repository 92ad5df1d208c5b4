"""PostgreSQL restarting mid-exam: the candidate's save answers 503 with Retry-After while the
database is down (never a 500), and is saved, once, when it is back.

The site runs on a private PostgreSQL cluster (tests/postgres_cluster.py: initdb in a temporary
folder, a free port) that the test stops and starts, behind a real WSGI server in a thread, so
Django's request signals (`close_old_connections`) and persistent connections with health
checks behave as under gunicorn. The suite's own database is not used."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.client import HTTPConnection
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import dj_database_url
import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.wsgi import get_wsgi_application
from django.db import connections

from tests.exams.signed_in_attempt import signed_in_attempt
from tests.postgres_cluster import PostgresCluster


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    private = PostgresCluster()
    try:
        private.start()
        yield private
    finally:
        private.destroy()


@pytest.fixture
def site(cluster: PostgresCluster, django_db_blocker: Any) -> Iterator[str]:
    """The project, migrated on the private cluster, served at the returned address, with
    production's persistent connections (DATABASE_CONN_MAX_AGE) and health checks."""
    url = cluster.create_database(f"ccso_{secrets.token_hex(4)}")
    # In a process of its own: some migrations choose their operations by the database vendor
    # when they are imported, which the suite's own database did first.
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
                   cwd=settings.BASE_DIR, check=True,
                   env={**os.environ, "DATABASE_URL": url,
                        "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    saved_settings, saved_connection = connections.settings["default"], connections["default"]
    private = dict(saved_settings)
    private.update(dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True))
    connections.settings["default"] = private
    connections["default"] = connections.create_connection("default")
    ContentType.objects.clear_cache()  # its ids are the suite database's
    server: WSGIServer | None = None
    try:
        with django_db_blocker.unblock():
            server = make_server("127.0.0.1", 0, get_wsgi_application(),
                                 handler_class=_QuietHandler)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            yield f"127.0.0.1:{server.server_port}"
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        connections["default"].close()
        connections.settings["default"] = saved_settings
        connections["default"] = saved_connection
        ContentType.objects.clear_cache()


def _request(site: str, method: str, path: str, headers: dict[str, str],
             body: dict | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = HTTPConnection(site, timeout=30)
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), data


def test_saves_answer_503_with_retry_after_while_postgres_is_down_and_are_saved_once_after(
        site: str, cluster: PostgresCluster, caplog: pytest.LogCaptureFixture) -> None:
    from exams.models import AttemptEvent, AttemptEventKind, AttemptQuestion

    headers, attempt = signed_in_attempt()
    save = f"/api/v1/exams/attempts/{attempt.pk}/answers/1"
    status, _headers, _body = _request(site, "PUT", save, headers,
                                       {"selected": ["A"], "flagged": False, "seq": 1})
    assert status == 200
    # That request's new connection ended any outage an earlier test left this process in.
    caplog.clear()

    cluster.stop("fast")
    caplog.set_level(logging.WARNING, logger="core.database_unavailable")
    # The session and the user are read by middleware before the view runs (handler500's path).
    for _retry in range(3):
        status, answer_headers, body = _request(site, "PUT", save, headers,
                                                {"selected": ["B"], "flagged": True, "seq": 2})
        assert status == 503
        assert answer_headers["Retry-After"] == "5"
        assert json.loads(body) == {
            "detail": "服务暂时不可用，您提交的内容尚未保存，请稍等几秒后重试。",
            "code": "database_unavailable"}
    # A page whose view reads the database (Wagtail's home page, signed out): the site's page.
    status, page_headers, body = _request(site, "GET", "/", {"Accept-Language": "zh-hans"})
    assert status == 503
    assert page_headers["Retry-After"] == "5"
    assert "服务暂时不可用" in body.decode()
    # Once for the outage, not once per request.
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == ["Database unreachable"]

    cluster.start()
    for applied in (True, False):  # the client's retry, and one more arriving late
        status, _headers, body = _request(site, "PUT", save, headers,
                                          {"selected": ["B"], "flagged": True, "seq": 2})
        assert status == 200
        assert json.loads(body)["applied"] is applied
    assert "Database reachable again" in caplog.records[-1].getMessage()

    connections["default"].close()  # the test's own connection died with the restart
    stored = AttemptQuestion.objects.get(attempt=attempt, position=1)
    assert (stored.selected, stored.flagged, stored.seq) == (["B"], True, 2)
    saves = AttemptEvent.objects.filter(attempt=attempt, kind=AttemptEventKind.SAVE)
    assert [e.data.get("seq") for e in saves] == [1, 2]
