"""The clock shift that `make test-next-year` runs the suite under (tests/clock.py)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from django.utils import timezone
from time_machine import escape_hatch

from tests.clock import SHIFT_VARIABLE, shift_start

ROOT = Path(__file__).resolve().parents[1]


def test_the_shift_moves_every_clock_by_the_days_asked_and_keeps_ticking(monkeypatch):
    monkeypatch.setenv(SHIFT_VARIABLE, "365")
    before = dt.datetime.now(dt.UTC)
    traveller = shift_start()
    try:
        shifted = timezone.now()
        assert dt.timedelta(days=365) <= shifted - before < dt.timedelta(days=365, minutes=1)
        assert timezone.localdate() == timezone.localtime(shifted).date()
        assert timezone.now() >= shifted  # still ticking
    finally:
        traveller.stop()
    assert timezone.now() - before < dt.timedelta(minutes=1)


def test_no_variable_no_shift(monkeypatch):
    monkeypatch.delenv(SHIFT_VARIABLE, raising=False)
    assert shift_start() is None


def test_a_subprocess_started_through_the_plugin_gets_the_same_shift(monkeypatch):
    """What the Celery worker of the `celery_worker` tests is started with (`-m tests.clock
    celery ...`); `calendar` prints this year's calendar, headed by the year."""
    monkeypatch.setenv(SHIFT_VARIABLE, "3652")
    out = subprocess.run([sys.executable, "-m", "tests.clock", "calendar"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout
    real_year = (escape_hatch.datetime.datetime.now() if escape_hatch.is_travelling()
                 else dt.datetime.now()).year
    assert out.split()[0] in (str(real_year + 10), str(real_year + 9))
