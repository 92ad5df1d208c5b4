"""A server process loads the URLconf, every view and the translations when it starts, not on
its first request: requests accepted by a worker started mid-window (a deploy, a replaced
worker) must not wait behind a 1.6 s import (core/warmup.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = (
    "import json, sys\n"
    "import config.wsgi\n"
    "from django.utils.translation import trans_real\n"
    "print(json.dumps({'modules': sorted(m for m in ('config.urls', 'exams.api', 'reviews.views',"
    " 'cms.views') if m in sys.modules), 'catalogues': sorted(trans_real._translations)}))\n"
)


def test_the_wsgi_module_loads_urls_views_and_catalogues_before_the_first_request(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "warm-up-probe-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "SITE_URL": "https://academy.example.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # never reached: warming up needs no cache
    }
    output = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True,
        text=True, check=True, timeout=120,
    ).stdout
    loaded = json.loads(output.splitlines()[-1])
    assert loaded["modules"] == ["cms.views", "config.urls", "exams.api", "reviews.views"]
    assert {"zh-hans", "en"} <= set(loaded["catalogues"])
