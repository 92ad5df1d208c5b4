"""A server process loads the URLconf, every view and the translations when it starts, not on
its first request: requests accepted by a worker started mid-window (a deploy, a replaced
worker) must not wait behind a 1.6 s import (core/warmup.py)."""

from __future__ import annotations

import json

from tests.core.production_probe import production_probe

PROBE = (
    "import json, sys\n"
    "import config.wsgi\n"
    "from django.utils.translation import trans_real\n"
    "print(json.dumps({'modules': sorted(m for m in ('config.urls', 'exams.api', 'reviews.views',"
    " 'cms.views') if m in sys.modules), 'catalogues': sorted(trans_real._translations)}))\n"
)


def test_the_wsgi_module_loads_urls_views_and_catalogues_before_the_first_request(tmp_path):
    loaded = json.loads(production_probe(PROBE, tmp_path))
    assert loaded["modules"] == ["cms.views", "config.urls", "exams.api", "reviews.views"]
    assert {"zh-hans", "en"} <= set(loaded["catalogues"])
