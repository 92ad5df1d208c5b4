"""Which database errors are "the database cannot be reached" (503) and which stay 500s; the
503 itself, end to end, is tests/exams/test_database_restart.py."""

from __future__ import annotations

import psycopg
import pytest
from django.db import InterfaceError, OperationalError

from core.database_unavailable import database_unreachable


def _django_error(cause: Exception, wrapper: type[Exception] = OperationalError) -> Exception:
    try:
        raise wrapper(str(cause)) from cause
    except wrapper as exc:
        return exc


@pytest.mark.parametrize("cause", [
    psycopg.OperationalError("connection failed: Connection refused"),  # never reached a server
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    psycopg.errors.CannotConnectNow("the database system is starting up"),
    psycopg.errors.ConnectionFailure("server closed the connection unexpectedly"),
])
def test_a_server_that_is_gone_or_restarting_is_unreachable(cause: Exception) -> None:
    assert database_unreachable(_django_error(cause))


def test_a_connection_closed_under_the_request_is_unreachable() -> None:
    assert database_unreachable(_django_error(psycopg.InterfaceError("connection is closed"),
                                              InterfaceError))


@pytest.mark.parametrize("cause", [
    psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"),
    psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
])
def test_a_timeout_on_a_reachable_database_stays_a_server_error(cause: Exception) -> None:
    assert not database_unreachable(_django_error(cause))


def test_other_errors_are_not_database_outages() -> None:
    assert not database_unreachable(ValueError("no"))
