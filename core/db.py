"""A cursor for the few statements every request runs, which PostgreSQL parses and plans once
per connection instead of on every call.

Django's PostgreSQL backend binds parameters on the client (psycopg's `ClientCursor`): each
statement reaches the server as new text, to be parsed and planned again. For the statements an
exam window runs thousands of times a minute (the signed-in user, the autosave), that costs more
server CPU than executing them (docs/performance.md, "the autosave's cost per request"). Through
`prepared_cursor()` the same statement is sent with server-side binding and prepared on the
connection the first time it runs (Django turns psycopg's automatic preparing off, so it is
asked for here, per statement); after that only the parameters travel.

It is still Django's cursor: the health check of a persistent connection, the translation of
errors into `django.db` exceptions (so an unreachable database is a 503, core.database_unavailable),
the execute wrappers (query counts in tests) and the transaction state are all as for
`connection.cursor()`. On other databases it is `connection.cursor()`.

Prepared statements live in a server session: behind a connection pooler in transaction mode
(PgBouncer before 1.21, or without `max_prepared_statements`) they would be looked for on
another server connection. The platform connects to PostgreSQL directly.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

_preparing_cursor_class: Any = None


def _preparing_cursor() -> Any:
    """Django's server-binding psycopg cursor, preparing every statement it executes (psycopg
    keeps the last 100 per connection)."""
    global _preparing_cursor_class
    if _preparing_cursor_class is None:
        from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
            ServerBindingCursor,
        )

        class PreparingCursor(ServerBindingCursor):  # type: ignore[misc, valid-type]
            def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                        binary: bool | None = None) -> Any:
                # Django's prepare_threshold of None turns preparing off for the connection,
                # even when asked for; psycopg then also leaves its bookkeeping (an LRU of
                # every statement run) alone. Preparing is turned on for this one statement
                # only, so every other query on the connection runs exactly as before.
                raw = self.connection  # type: ignore[attr-defined]
                threshold = raw.prepare_threshold
                raw.prepare_threshold = 0
                try:
                    return super().execute(  # type: ignore[misc]
                        query, params, prepare=True if prepare is None else prepare,
                        binary=binary)
                finally:
                    raw.prepare_threshold = threshold

            def _send_query_prepared(self, name: bytes, pgq: Any, **kwargs: Any) -> None:
                # psycopg records the statement for an unprepared one only; Django's query log
                # (DEBUG, tests' query counts) reads it from there: "… WHERE id = $1".
                self._query = pgq
                super()._send_query_prepared(name, pgq, **kwargs)  # type: ignore[misc]

        _preparing_cursor_class = PreparingCursor
    return _preparing_cursor_class


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Any:
    """A cursor (use it as a context manager) whose statements PostgreSQL prepares."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    # What BaseDatabaseWrapper._cursor() does, with a preparing server-binding psycopg cursor.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(  # type: ignore[attr-defined]
            _preparing_cursor()(connection.connection))
