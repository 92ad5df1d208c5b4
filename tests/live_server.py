"""pytest-django's live server, sharing the test's SQLite database safely.

On SQLite the test database lives in memory (shared cache). pytest-django hands the test's one
connection to the live server's request threads, but only if the test database exists when the
server starts; started first (as a session fixture it can be), every request thread opens its own
connection to the shared-cache database, and two requests at once (the exam page sends its whole
queue when the connection returns) fail with "database table is locked", which the platform
rightly answers with a 503. So the server starts after `django_db_setup`, and, since its threads
then share one connection, each request holds a lock while the application handles it: two
requests' transactions must not interleave on one connection. On PostgreSQL each thread has its
own connection, as under gunicorn, and requests run in parallel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import pytest

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def one_request_at_a_time(application: WSGIApp) -> WSGIApp:
    lock = threading.Lock()

    def serialised(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with lock:
            return application(environ, start_response)

    return serialised


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, live_server: Any) -> Any:
    """pytest-django's `live_server`, started once the test database exists: it decides then
    whether to share the connection, and would otherwise see the settings' file database."""
    if live_server.thread.connections_override:
        httpd = live_server.thread.httpd
        httpd.set_app(one_request_at_a_time(httpd.get_app()))
    return live_server
