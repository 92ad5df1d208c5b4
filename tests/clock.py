"""Run the suite with the clock moved: `CCSO_TEST_CLOCK_SHIFT_DAYS=365 make test`.

A pytest plugin (tests/conftest.py loads it). With the variable set, time-machine moves this
process's clock that many days from now for the whole session, still ticking, so every
`timezone.now()`, `date.today()` and `time.time()` reads the shifted time; a test that pins the
clock (the `time_machine` fixture) still wins inside that test. The Celery worker the
`celery_worker` tests start inherits the variable and runs through `python -m tests.clock`,
which applies the same shift before starting celery. Chromium keeps the real clock: pages take
their times from the server (the exam countdown is seconds left, not a date), so the browser
tests are unaffected, but a page script that read `Date.now()` would be a year behind.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest
import time_machine

SHIFT_VARIABLE = "CCSO_TEST_CLOCK_SHIFT_DAYS"


def shift_days() -> float:
    """Days, fractions allowed (0.4 moves 09:00 UTC to 18:36, past midnight in Shanghai)."""
    return float(os.environ.get(SHIFT_VARIABLE) or 0)


def shift_start() -> time_machine.travel | None:
    """Move this process's clock by the configured days (ticking); None when there is none."""
    days = shift_days()
    if not days:
        return None
    traveller = time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days), tick=True)
    traveller.start()
    return traveller


def pytest_configure(config: pytest.Config) -> None:
    config._ccso_clock = shift_start()  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = getattr(config, "_ccso_clock", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    if not shift_days():
        return None
    return (f"clock shifted {shift_days():g} days ({SHIFT_VARIABLE}): "
            f"now is {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    # `python -m tests.clock celery -A config worker ...`: `python -m celery ...` on the
    # shifted clock (any module runnable with -m works the same way).
    import runpy

    shift_start()
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
