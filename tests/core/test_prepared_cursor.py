"""core.db.prepared_cursor: on PostgreSQL a statement is prepared once per connection, and the
cursor is still Django's (errors as django.db exceptions, the query log); other queries on the
connection are not prepared."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, connection

from core.db import prepared_cursor

pytestmark = pytest.mark.django_db


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.postgres
def test_a_statement_is_prepared_once_and_other_queries_are_not():
    for n in (1, 2, 3):
        with prepared_cursor() as cursor:
            cursor.execute("SELECT %s::int + 1", [n])
            assert cursor.fetchone() == (n + 1,)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::int * 2", [4])
    statements = _prepared()
    assert statements.count("SELECT $1::int + 1") == 1
    assert not [s for s in statements if "* 2" in s]
    # Django's setting for the connection (no automatic preparing) is as it was.
    assert connection.connection.prepare_threshold is None


@pytest.mark.postgres
def test_its_errors_are_djangos():
    with pytest.raises(ProgrammingError), prepared_cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table WHERE id = %s", [1])


def test_elsewhere_it_is_the_ordinary_cursor(django_assert_num_queries):
    with django_assert_num_queries(1), prepared_cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
