"""Authentication backends: Django's and allauth's, loading the signed-in user together with
whether they hold a staff role.

StaffMFAMiddleware asks "is this a staff member?" on every request; answered from the user row
loaded for the session, that costs no query of its own (it was one of three per autosave). The
answer is read from the database with the user on each request, so a role granted a moment ago
counts on the very next request, as the middleware's guarantee requires.

The query is the ORM's, compiled once per database connection and then only executed (on
PostgreSQL as a prepared statement, core.db): building it (the annotated EXISTS, the lookups,
the converters) cost more CPU than anything else an autosave does (docs/performance.md, "the
autosave's cost per request"). What is read, and when, is unchanged: the row and its staff
answer, from the database, on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import backends, get_user_model
from django.db import connections, router
from django.db.models import Exists, OuterRef

from core.db import prepared_cursor

from .roles import STAFF_ROLES

# Stands for the user's id while the query is compiled; replaced by the real id on each call.
_ID_PLACEHOLDER = -982_451_653


@dataclass(frozen=True)
class _CompiledUserQuery:
    sql: str
    params: tuple[Any, ...]
    id_index: int  # where the user's id goes in params
    attnames: list[str]  # the model's fields, in the order of the selected columns
    converters: dict[int, tuple[list[Any], Any]]  # column → the ORM's converters (SQLite)
    compiler: Any


def _compile_user_query(alias: str) -> _CompiledUserQuery:
    user_model = get_user_model()
    staff_role = user_model.groups.through.objects.filter(  # type: ignore[attr-defined]
        user_id=OuterRef("pk"), group__name__in=STAFF_ROLES)
    attnames = [field.attname for field in user_model._meta.concrete_fields]
    queryset = (user_model._default_manager.using(alias)
                .annotate(loaded_staff_role=Exists(staff_role))
                .filter(pk=_ID_PLACEHOLDER).values_list(*attnames, "loaded_staff_role"))
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
    return _CompiledUserQuery(sql=sql, params=tuple(params),
                              id_index=list(params).index(_ID_PLACEHOLDER), attnames=attnames,
                              converters=converters, compiler=compiler)


def user_with_staff_role(user_id: Any) -> Any:
    """The user with this id, with `loaded_staff_role` set, or None: one query, read now."""
    user_model = get_user_model()
    try:
        pk = user_model._meta.pk.to_python(user_id)  # type: ignore[union-attr]
    except Exception:  # a session holding something that is not an id: nobody
        return None
    alias = router.db_for_read(user_model)
    connection = connections[alias]
    # One per connection object (each thread has its own): the compiler's converters belong to it.
    compiled: _CompiledUserQuery | None = connection.__dict__.get("_ccso_user_query")
    if compiled is None:
        compiled = _compile_user_query(alias)
        connection.__dict__["_ccso_user_query"] = compiled
    params = list(compiled.params)
    params[compiled.id_index] = pk
    with prepared_cursor(alias) as cursor:
        cursor.execute(compiled.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    if compiled.converters:
        row = next(iter(compiled.compiler.apply_converters([row], compiled.converters)))
    user = user_model.from_db(alias, compiled.attnames, row[:-1])
    user.loaded_staff_role = bool(row[-1])  # type: ignore[attr-defined]
    return user


def _user_with_staff_role(backend: backends.ModelBackend, user_id: Any) -> Any:
    user = user_with_staff_role(user_id)
    return user if user is not None and backend.user_can_authenticate(user) else None


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        return _user_with_staff_role(self, user_id)


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> Any:
        return _user_with_staff_role(self, user_id)
