"""The bounds every upload is read under (core.uploads): each refusal names its limit, and a
bomb is refused from the zip directory alone, long before a parser could start on it."""

from __future__ import annotations

import time

import pytest

from core.uploads import IMPORT_LIMITS, UploadRefused, csv_rows, xlsx_check, yaml_load
from tests.core.uploads_helpers import xlsx_bomb


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_a_workbook_that_unpacks_too_far_is_refused_at_once():
    bomb = xlsx_bomb(unpacked_mb=100)
    assert len(bomb) < IMPORT_LIMITS.max_bytes  # small enough to pass the size check
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(bomb)
    assert time.monotonic() - started < 1  # reading it would take many minutes
    assert refused.value.messages == ["The workbook unpacks to 99.1\xa0MB; the limit is 50.0\xa0MB."]


def test_a_part_compressed_beyond_the_ratio_is_refused():
    with pytest.raises(UploadRefused, match=r"xl/worksheets/sheet1.xml is compressed \d+ to 1; "
                                            r"the limit is 100 to 1"):
        xlsx_check(xlsx_bomb(unpacked_mb=20))


def test_csv_cells_rows_and_field_size_are_bounded():
    with pytest.raises(UploadRefused, match="row 2: a cell is longer than the limit of 10000"):
        list(csv_rows('a,b\n"' + "x" * 1_000_000 + '",2\n'))
    with pytest.raises(UploadRefused, match="row 2, column 2: the cell holds 10001"):
        list(csv_rows("a,b\n1," + "x" * 10_001 + "\n"))
    with pytest.raises(UploadRefused, match="more than 20000 rows"):
        list(csv_rows("a\n" * 20_001))
    with pytest.raises(UploadRefused, match="more than 500000 cells"):
        list(csv_rows(("," * 999 + "\n") * 501))


def test_yaml_alias_expansion_and_depth_are_bounded_before_anything_is_built():
    laughs = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        laughs.append(f"{level}: &{level} [{', '.join([f'*{previous}'] * 10)}]")
    with pytest.raises(UploadRefused, match="expands to more than 200000 values"):
        yaml_load("\n".join(laughs).encode())
    with pytest.raises(UploadRefused, match="expands to more than"):
        yaml_load(b"a: &a [*a]")  # endless
    with pytest.raises(UploadRefused, match="nested more than 50 levels"):
        yaml_load(b"[" * 200_000 + b"]" * 200_000)  # libyaml's composer would crash on this
    assert yaml_load(b"a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
