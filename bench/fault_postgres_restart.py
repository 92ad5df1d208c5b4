#!/usr/bin/env python
"""Fault run: PostgreSQL restarted in the middle of an exam window.

    .venv/bin/python bench/fault_postgres_restart.py --candidates 300 --outage-seconds 20

Starts a private PostgreSQL cluster (initdb in a temporary folder, a free port: never the
machine's shared server), migrates it and seeds the exam with bench/exam_window.py's helpers,
starts gunicorn under `config.settings.production` (persistent connections, Redis sessions), and
lets N candidates answer. Each candidate's client behaves like the exam page: the latest answer
per question waits in a queue, ordered by `seq`, until the server acknowledges it; a 503 is
retried after its Retry-After, a network error or another 5xx with backoff. Mid-window the
cluster is stopped (`pg_ctl stop -m fast`), kept down for --outage-seconds, and started again.

It prints the statuses answered while the database was down (503s expected, no other 5xx), the
answers lost (each candidate's last answer per question against the database after
submission: must be 0) and the time to recover (cluster started → first save acknowledged →
every queue drained). Exit status 0 only when nothing was lost and no 5xx other than 503 was
answered. The figures go into docs/performance.md ("Fault: PostgreSQL restarted").
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from exam_window import (  # noqa: E402
    count_lost,
    percentile,
    prepare,
    start_gunicorn,
    write_report,
)
from harness import Phases, candidate  # noqa: E402

from tests.postgres_cluster import PostgresCluster  # noqa: E402

HEADING = "## Fault: PostgreSQL restarted"

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--ramp", type=float, default=15.0)
    parser.add_argument("--think", type=float, default=3.0,
                        help="mean seconds between a candidate's answers")
    parser.add_argument("--resaves", type=int, default=4)
    parser.add_argument("--outage-at", type=float, default=25.0,
                        help="seconds into the window when PostgreSQL is stopped")
    parser.add_argument("--outage-seconds", type=float, default=20.0)
    parser.add_argument("--drain-limit", type=float, default=120.0,
                        help="seconds a candidate waits for its queue before giving up")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")
    args = parser.parse_args()

    cluster = PostgresCluster(max_connections=200)
    server = None
    try:
        cluster.start()
        args.database_url = cluster.create_database("ccso_fault")
        t_setup = time.monotonic()
        exam_id, people = prepare(args.database_url, args.candidates)
        print(f"setup: {len(people)} candidates on {args.database_url} in "
              f"{time.monotonic() - t_setup:.0f} s", flush=True)
        server = start_gunicorn(args)
        phases = Phases()
        expected: dict[int, dict[int, list[str]]] = {}
        rng = random.Random(1617)
        began = time.monotonic()

        def outage() -> None:
            time.sleep(max(0.0, began + args.outage_at - time.monotonic()))
            phases.down_at = time.monotonic()
            cluster.stop("fast")
            print(f"t={phases.down_at - began:.0f} s: PostgreSQL stopped", flush=True)
            time.sleep(args.outage_seconds)
            cluster.start()
            phases.up_at = time.monotonic()
            print(f"t={phases.up_at - began:.0f} s: PostgreSQL started", flush=True)

        fault = threading.Thread(target=outage)
        fault.start()
        with ThreadPoolExecutor(max_workers=len(people)) as pool:
            futures = [
                pool.submit(candidate, person, exam_id=exam_id, port=args.port,
                            start_at=began + args.ramp * i / len(people), think=args.think,
                            resaves=args.resaves, phases=phases, rng=random.Random(rng.random()),
                            expected=expected, drain_limit=args.drain_limit)
                for i, person in enumerate(people)
            ]
            for future in futures:
                future.result()
        drained_at = time.monotonic()
        fault.join()
        from django.db import connection

        connection.close()  # this process's connection died with the restart
        lost, checked = count_lost(expected)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        cluster.destroy()

    other_5xx = sum(n for label, n in phases.whole.items()
                    if label.split()[1].isdigit() and int(label.split()[1]) >= 500
                    and not label.endswith(" 503"))
    during = ", ".join(f"{label}: {n}" for label, n in sorted(phases.during.items()))
    whole = ", ".join(f"{label}: {n}" for label, n in sorted(phases.whole.items()))
    up, first_ok = phases.up_at or 0.0, phases.first_ok_after_up or float("nan")
    backlog = phases.backlog_sent or float("nan")
    report = "\n".join([
        HEADING,
        "",
        f"`bench/fault_postgres_restart.py` run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{len(people)} candidates start within {args.ramp:.0f} s and give 18 answers plus "
        f"{args.resaves} changed ones (mean {args.think:g} s apart) through a client that "
        "keeps unacknowledged answers queued as the exam page does and honours Retry-After; "
        f"gunicorn {args.workers} × {args.threads} (gthread), `config.settings.production` "
        "(DATABASE_CONN_MAX_AGE=600, health checks on); a private PostgreSQL 15 cluster "
        f"stopped with `pg_ctl stop -m fast` {args.outage_at:.0f} s into the window and "
        f"started {args.outage_seconds:.0f} s later. Load average {os.getloadavg()[0]:.1f} at "
        "the end (other engineers' runs share the 2 cores: a functional check, not a speed "
        "figure).",
        "",
        f"- While the database was down (from `pg_ctl stop` to the first save acknowledged "
        f"after the start; the 200s are saves that finished before the stop did): {during}.",
        f"- 5xx other than 503 over the whole run: **{other_5xx}**. All requests: {whole}.",
        f"- Answers lost: **{lost}** of {checked} (each candidate's last answer per question, "
        "checked in the database after submission).",
        f"- Recovery: first save acknowledged {first_ok - up:.1f} s after PostgreSQL started, "
        f"the last answer queued during the outage {backlog - up:.1f} s after; the window "
        f"ended (every queue empty, every paper submitted) {drained_at - up:.0f} s after it "
        f"started. Acknowledged saves p50 {percentile(phases.save_ms, 50):.0f} / p95 "
        f"{percentile(phases.save_ms, 95):.0f} ms over the run.",
        "",
        "Re-run: `.venv/bin/python bench/fault_postgres_restart.py --candidates 300 "
        f"--outage-seconds {args.outage_seconds:.0f}` (see `--help`).",
        "",
    ])
    if phases.samples:
        report += "\nFirst unexpected answers: " + "; ".join(phases.samples) + "\n"
    print(report)
    if not args.no_write:
        write_report(report, HEADING)
    return 0 if lost == 0 and other_5xx == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
