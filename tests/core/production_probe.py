"""Runs Python code in a new process under config.settings.production, as gunicorn would: for
what only a production process does at start-up or on its own settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_probe(code: str, tmp_path: Path) -> str:
    """The last line `code` printed, run with production settings on a throwaway SQLite file."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "production-settings-probe-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "SITE_URL": "https://academy.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # never reached by the probes
    }
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
        text=True, check=True, timeout=120,
    ).stdout
    return output.splitlines()[-1]
