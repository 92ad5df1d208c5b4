"""Bounded integers for input: each is limited to what the database column it reaches can hold,
so an out-of-range number is a form error or the API schema's 422, never a database error. The
API's parameter types are below; forms use the same limits with `IntegerField(max_value=...)`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import Field

SMALLINT_MAX = 2**15 - 1
INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

ObjectId = Annotated[int, Field(ge=1, le=INTEGER_MAX)]
"""A primary key (Django's AutoField is a PostgreSQL integer)."""
SmallNumber = Annotated[int, Field(ge=0, le=SMALLINT_MAX)]
"""A position or a module number (small integer columns)."""
PageSize = Annotated[int, Field(ge=1, le=200)]
Offset = Annotated[int, Field(ge=0, le=INTEGER_MAX)]
Sequence = Annotated[int, Field(ge=0, le=BIGINT_MAX)]
"""A client's ever-growing counter (a bigint column)."""


def object_ids(values: Iterable[str]) -> list[int]:
    """The submitted values that are primary keys: ASCII digits within 1..INTEGER_MAX (`"²"` is
    a digit to `str.isdigit` but not to `int`). Anything else names no object and is dropped."""
    return [int(value) for value in values
            if value.isascii() and value.isdigit() and 1 <= int(value) <= INTEGER_MAX]
