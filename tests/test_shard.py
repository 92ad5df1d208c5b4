"""CI runs the suite in shares side by side (tests/shard.py): together they must be the suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = "tests/accounts/test_accounts.py"


def _collected(share: str | None) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    env = {key: value for key, value in os.environ.items() if key != "CCSO_TEST_SHARD"}
    if share is not None:
        env["CCSO_TEST_SHARD"] = share
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", TARGET],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    return [line for line in result.stdout.splitlines() if "::" in line], result


def test_the_shares_together_are_the_suite_and_no_test_runs_twice() -> None:
    whole, _ = _collected(None)
    first, _ = _collected("1/2")
    second, _ = _collected("2/2")
    assert len(whole) > 4
    assert first and second
    assert sorted(first + second) == sorted(whole)
    assert not set(first) & set(second)
    assert abs(len(first) - len(second)) <= 1


def test_a_malformed_share_is_refused_with_the_expected_form() -> None:
    lines, result = _collected("3/2")
    assert result.returncode != 0 and not lines
    assert "K must be between 1 and N" in result.stderr + result.stdout
