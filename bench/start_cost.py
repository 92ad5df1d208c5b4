#!/usr/bin/env python
"""What one exam start and one submit cost the server: CPU of the serving process and of its
PostgreSQL backend per request, and SQL statements per request, measured as
`bench/autosave_cost.py` measures an autosave (Django's WSGI handler in this process,
production settings, the whole middleware stack, signed-in candidates' cookies).

    BENCH_REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/start_cost.py \
        --database-url postgres://postgres@127.0.0.1:5432/ccso_cost --candidates 300

Every candidate starts once, then every candidate submits (an empty paper). `--sql` prints one
start's and one submit's statements instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autosave_cost import Counts, _backend_pid, _install_counters, call
from exam_window import DEFAULT_DB, _cpu_seconds, ensure_database, prepare

WARMUP = 20


def _start(app: Any, exam_id: int, person: dict) -> None:
    status, data = call(app, "POST", f"/api/v1/exams/{exam_id}/attempts", {}, person)
    if status not in (200, 201):
        raise SystemExit(f"start: HTTP {status} {data[:300]!r}")
    person["attempt"] = json.loads(data)["attempt_id"]


def _submit(app: Any, exam_id: int, person: dict) -> None:
    status, data = call(app, "POST", f"/api/v1/exams/attempts/{person['attempt']}/submit", {},
                        person)
    if status != 200:
        raise SystemExit(f"submit: HTTP {status} {data[:300]!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--sql", action="store_true", help="print one start's and submit's SQL")
    args = parser.parse_args()
    ensure_database(args.database_url)
    exam_id, people = prepare(args.database_url, args.candidates + WARMUP)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ROOT_URLCONF = "exam_window"
    app = get_wsgi_application()
    for person in people[:WARMUP]:
        _start(app, exam_id, person)
        _submit(app, exam_id, person)
    measured = people[WARMUP:]
    steps = {"start": _start, "submit": _submit}
    if args.sql:
        for kind, step in steps.items():
            with CaptureQueriesContext(connection) as queries:
                step(app, exam_id, measured[0])
            print(f"{kind}: {len(queries)} statements")
            for query in queries.captured_queries:
                print("  ", query["sql"][:200])
        return 0
    counts = Counts()
    _install_counters(counts)
    print("| request | n | CPU ms / request | PostgreSQL CPU ms | wall ms | SQL / request |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind, step in steps.items():
        backend = _backend_pid()
        pg0, cpu0, wall0 = _cpu_seconds(backend), time.process_time(), time.perf_counter()
        counts.sql = 0
        for person in measured:
            step(app, exam_id, person)
        n = len(measured)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        pg = _cpu_seconds(backend) - pg0
        print(f"| {kind} | {n} | {1000 * cpu / n:.2f} | {1000 * pg / n:.2f} | "
              f"{1000 * wall / n:.2f} | {counts.sql / n:.1f} |")
    print(f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
