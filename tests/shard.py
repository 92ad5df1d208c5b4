"""Run one share of the suite: `CCSO_TEST_SHARD=2/3 pytest` keeps every third test from the
second on, so CI can run the shares side by side on the machine's cores (pytest itself runs
one test at a time).

A pytest plugin (tests/conftest.py loads it). It deals the tests out one by one in collection
order, after every other plugin has ordered and deselected them, so each share gets a like mix
of quick and slow files; each test is in exactly one share for the same N.
"""

from __future__ import annotations

import os

import pytest

SHARD_VARIABLE = "CCSO_TEST_SHARD"


def shard() -> tuple[int, int] | None:
    """(index from 0, count) from `K/N`, or None when the whole suite runs."""
    value = os.environ.get(SHARD_VARIABLE, "").strip()
    if not value:
        return None
    try:
        number, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise pytest.UsageError(f"{SHARD_VARIABLE}={value!r}: expected K/N, e.g. 1/2") from None
    if not 1 <= number <= count:
        raise pytest.UsageError(f"{SHARD_VARIABLE}={value!r}: K must be between 1 and N")
    return number - 1, count


def pytest_configure(config: pytest.Config) -> None:
    shard()  # a malformed value stops the run before anything is collected


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    share = shard()
    if share is None:
        return
    index, count = share
    keep: list[pytest.Item] = []
    others: list[pytest.Item] = []
    for position, item in enumerate(items):
        (keep if position % count == index else others).append(item)
    config.hook.pytest_deselected(items=others)
    items[:] = keep


def pytest_report_header(config: pytest.Config) -> str | None:
    share = shard()
    if share is None:
        return None
    return f"share {share[0] + 1} of {share[1]} ({SHARD_VARIABLE})"
