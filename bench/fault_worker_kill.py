#!/usr/bin/env python
"""Fault run: the Celery worker SIGKILLed while it issues credentials for an exam window.

    .venv/bin/python bench/fault_worker_kill.py --candidates 200

Seeds the exam on PostgreSQL (database ccso_workers; BENCH_DATABASE_URL to change it) with
bench/exam_window.py's helpers, starts gunicorn under `config.settings.production` and a Celery
worker (prefork, 2 children) on Redis database 12 (BENCH_REDIS_URL), and lets N candidates sit
the exam through the exam page's retrying client (bench/harness.py); most of them pass, and each
pass queues a credential, whose issue queues its PDF and its email. Once the first credentials
appear, the run SIGKILLs a pool child, then another (the worker puts a task whose child died
back on the queue at once: `task_reject_on_worker_lost`), then the whole worker, main process
and children, as when a node is lost; a new worker is started once the visibility timeout
(30 s in this run, 900 s in production) has passed, and Redis hands it the tasks the dead
worker had taken but not acknowledged.

It prints the tasks that ran again, and what the workers did for the passes, checked in the
database and on disk: exactly one credential per pass, one PDF file and one email per
credential; and the answers lost (must be 0). Exit status 0 only when nothing is missing,
nothing was done twice and nothing was lost. The figures go into docs/performance.md
("Fault: Celery worker killed").
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from exam_window import (  # noqa: E402
    count_lost,
    ensure_database,
    prepare,
    start_gunicorn,
    write_report,
)
from harness import (  # noqa: E402
    Phases,
    children,
    chooser_knowing,
    credentials_done,
    credentials_ok,
    credentials_outcome,
    forget_earlier_credentials,
    kill,
    kill_group,
    redelivered,
    start_celery_worker,
    statuses_5xx,
    stop_group,
    window,
    worker_environ,
    worker_fault_arguments,
    worker_fault_parse,
)

HEADING = "## Fault: Celery worker killed"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ccso_workers"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    worker_fault_arguments(parser, candidates=200, think=2.0, resaves=2)
    parser.add_argument("--child-kills", type=int, default=2)
    args = worker_fault_parse(parser, DEFAULT_DB)

    scratch = Path(tempfile.mkdtemp(prefix="ccso-fault-worker-"))
    environ = worker_environ(scratch)
    os.environ.update(environ)
    visibility = float(environ["CELERY_VISIBILITY_TIMEOUT"])
    ensure_database(args.database_url)
    t_setup = time.monotonic()
    exam_id, people = prepare(args.database_url, args.candidates)
    forget_earlier_credentials()
    print(f"setup: {len(people)} candidates on {args.database_url} in "
          f"{time.monotonic() - t_setup:.0f} s", flush=True)
    choose = chooser_knowing(args.skill)
    log_path = scratch / "celery.log"
    workers = [start_celery_worker(dict(os.environ), log_path)]
    server = start_gunicorn(args)
    events: list[str] = []
    try:
        def fault(phases: Phases, began: float) -> None:
            from certification.models import Credential

            def note(text: str) -> None:
                events.append(f"t={time.monotonic() - began:.0f} s: {text}")
                print(events[-1], flush=True)

            while not Credential.objects.filter(holder__email__startswith="bench-").exists():
                time.sleep(0.2)
            note("first credential issued")
            for _n in range(args.child_kills):
                pool = children(workers[-1].pid)
                if pool:
                    kill(pool[0])
                    note(f"pool child {pool[0]} SIGKILLed")
                time.sleep(3)
            phases.down_at = time.monotonic()
            kill_group(workers[-1])
            note(f"whole worker {workers[-1].pid} and its children SIGKILLed")
            time.sleep(visibility + 2)
            workers.append(start_celery_worker(dict(os.environ), log_path))
            phases.up_at = time.monotonic()
            note(f"new worker {workers[-1].pid} ready")
            from django.db import connection

            connection.close()

        phases, expected, _drained_at = window(
            people, exam_id=exam_id, port=args.port, ramp=args.ramp, think=args.think,
            resaves=args.resaves, drain_limit=args.drain_limit, fault=fault, choose=choose)
        lost, checked = count_lost(expected)
        deadline = time.monotonic() + 300
        outcome = credentials_outcome(exam_id, scratch)
        while not credentials_done(outcome) and time.monotonic() < deadline:
            time.sleep(2)
            outcome = credentials_outcome(exam_id, scratch)
        drained = time.monotonic()
        time.sleep(5)  # anything done twice would show by now
        outcome = credentials_outcome(exam_id, scratch)
    finally:
        stop_group(server)
        for worker in workers:
            stop_group(worker)

    again = redelivered(log_path)
    lost_children = log_path.read_text("utf-8", errors="replace").count(
        "exited with 'signal 9 (SIGKILL)'")
    fivexx = statuses_5xx(phases)
    facts = ", ".join(f"{key} {value}" for key, value in outcome.items())
    ok = lost == 0 and fivexx == 0 and credentials_ok(outcome)
    recovered = drained - (phases.up_at or drained)
    report = "\n".join([
        HEADING,
        "",
        f"`bench/fault_worker_kill.py` run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{len(people)} candidates sit the exam through the exam page's client (each knows "
        f"an answer with probability {args.skill:g}, so most pass); gunicorn {args.workers} × "
        f"{args.threads}, `config.settings.production`, PostgreSQL database ccso_workers; a "
        "Celery worker (prefork, 2 children) on Redis database 12 issues the credentials, "
        "renders their PDFs and sends their emails. Visibility timeout 30 s, time limit 25 s "
        "(production: 900 s and 600 s). Load average "
        f"{os.getloadavg()[0]:.1f} at the end (shared cores: a functional check).",
        "",
        "- Faults: " + "; ".join(events) + ".",
        f"- Pool children the worker saw die (a task a child was running is put back): "
        f"{lost_children}; tasks received more than once (caught by a kill before they were "
        f"done, and run again): **{again}**.",
        f"- What the workers did for the passes: {facts}. All done within "
        f"{recovered:.0f} s of the new worker being ready (checked once the window ended).",
        f"- Answers lost: **{lost}** of {checked}; 5xx answered: {fivexx}.",
        f"- Verdict: **{'pass' if ok else 'FAIL'}**.",
        "",
        "Re-run: `.venv/bin/python bench/fault_worker_kill.py --candidates "
        f"{args.candidates}` (see `--help`).",
        "",
    ])
    print(report)
    if not args.no_write:
        write_report(report, HEADING)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
