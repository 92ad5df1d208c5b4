#!/usr/bin/env python
"""Fault run: gunicorn workers SIGKILLed in the middle of an exam window.

    .venv/bin/python bench/fault_gunicorn_kill.py --candidates 300 --kills 4

Seeds the exam on PostgreSQL (database ccso_workers; BENCH_DATABASE_URL to change it) with
bench/exam_window.py's helpers, starts gunicorn under `config.settings.production` and a Celery
worker on Redis database 12 (BENCH_REDIS_URL), and lets N candidates sit the exam through the
exam page's retrying client (bench/harness.py): an answer stays queued until the server
acknowledges it, a dropped connection is retried with backoff. Mid-window one gunicorn worker
is SIGKILLed every --kill-every seconds, --kills times, with requests in flight; the master
starts a new one.

It prints what the clients got (connections dropped by the kill, any 5xx), the answers lost
(each candidate's last answer per question against the database after submission: must be 0),
the papers submitted, how long the master took to replace each worker, and what the Celery
worker did for the passes (one credential, one PDF and one email each). Exit status 0 only
when nothing was lost, no 5xx was answered, every paper was submitted and no credential was
issued, rendered or mailed twice. The figures go into docs/performance.md ("Fault: gunicorn
worker killed").
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
    percentile,
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
    network_errors,
    start_celery_worker,
    statuses_5xx,
    stop_group,
    window,
    worker_environ,
    worker_fault_arguments,
    worker_fault_parse,
)

HEADING = "## Fault: gunicorn worker killed"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ccso_workers"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    worker_fault_arguments(parser, candidates=300, think=3.0, resaves=4)
    parser.add_argument("--kill-at", type=float, default=20.0,
                        help="seconds into the window of the first kill")
    parser.add_argument("--kill-every", type=float, default=12.0)
    parser.add_argument("--kills", type=int, default=4)
    args = worker_fault_parse(parser, DEFAULT_DB)

    scratch = Path(tempfile.mkdtemp(prefix="ccso-fault-gunicorn-"))
    os.environ.update(worker_environ(scratch))
    ensure_database(args.database_url)
    t_setup = time.monotonic()
    exam_id, people = prepare(args.database_url, args.candidates)
    forget_earlier_credentials()
    print(f"setup: {len(people)} candidates on {args.database_url} in "
          f"{time.monotonic() - t_setup:.0f} s", flush=True)
    choose = chooser_knowing(args.skill)
    celery = start_celery_worker(dict(os.environ), scratch / "celery.log")
    server = start_gunicorn(args)
    replaced: list[float] = []
    killed: list[int] = []
    try:
        def fault(phases: Phases, began: float) -> None:
            for n in range(args.kills):
                time.sleep(max(0.0, began + args.kill_at + n * args.kill_every
                               - time.monotonic()))
                before = children(server.pid)
                if not before:
                    continue
                victim = before[n % len(before)]
                kill(victim)
                killed_at = time.monotonic()
                killed.append(victim)
                if phases.down_at is None:
                    phases.down_at = phases.up_at = killed_at
                print(f"t={killed_at - began:.0f} s: gunicorn worker {victim} SIGKILLed",
                      flush=True)
                while time.monotonic() < killed_at + 60:  # the master starts a new one
                    now = children(server.pid)
                    if len(now) == args.workers and victim not in now:
                        replaced.append(time.monotonic() - killed_at)
                        break
                    time.sleep(0.05)

        phases, expected, drained_at = window(
            people, exam_id=exam_id, port=args.port, ramp=args.ramp, think=args.think,
            resaves=args.resaves, drain_limit=args.drain_limit, fault=fault, choose=choose)
        lost, checked = count_lost(expected)
        deadline = time.monotonic() + 300
        outcome = credentials_outcome(exam_id, scratch)
        while not credentials_done(outcome) and time.monotonic() < deadline:
            time.sleep(2)
            outcome = credentials_outcome(exam_id, scratch)
        time.sleep(5)  # anything done twice would show by now
        outcome = credentials_outcome(exam_id, scratch)
    finally:
        stop_group(server)
        stop_group(celery)

    from exams.models import Attempt, AttemptState

    submitted = Attempt.objects.filter(exam_id=exam_id).exclude(state=AttemptState.OPEN).count()
    fivexx = statuses_5xx(phases)
    dropped = network_errors(phases)
    whole = ", ".join(f"{label}: {n}" for label, n in sorted(phases.whole.items()))
    facts = ", ".join(f"{key} {value}" for key, value in outcome.items())
    ok = (lost == 0 and fivexx == 0 and submitted == len(people)
          and credentials_ok(outcome))
    report = "\n".join([
        HEADING,
        "",
        f"`bench/fault_gunicorn_kill.py` run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{len(people)} candidates start within {args.ramp:.0f} s and give 18 answers plus "
        f"{args.resaves} changed ones (mean {args.think:g} s apart; each knows an answer with "
        f"probability {args.skill:g}, so most pass) through the exam page's client "
        "(bench/harness.py: unacknowledged answers stay queued and are retried with backoff); "
        f"gunicorn {args.workers} × {args.threads} (gthread), `config.settings.production`, "
        "PostgreSQL database ccso_workers, a Celery worker (prefork, 2) on Redis database 12. "
        f"{len(killed)} gunicorn workers SIGKILLed, {args.kill_every:g} s apart from "
        f"{args.kill_at:g} s into the window. Load average {os.getloadavg()[0]:.1f} at the end "
        "(the 2 cores are shared with other engineers' runs: a functional check, not a speed "
        "figure).",
        "",
        f"- Requests whose connection the kill dropped (retried by the client): **{dropped}**; "
        f"5xx answered: **{fivexx}**. All requests: {whole}.",
        f"- Answers lost: **{lost}** of {checked} (each candidate's last answer per question, "
        f"checked in the database after submission); papers submitted: {submitted} of "
        f"{len(people)}.",
        "- The master replaced each killed worker in "
        + ", ".join(f"{s:.1f}" for s in replaced) + " s; acknowledged saves p50 "
        f"{percentile(phases.save_ms, 50):.0f} / p95 {percentile(phases.save_ms, 95):.0f} ms "
        f"over the run; the window ended {drained_at - (phases.down_at or drained_at):.0f} s "
        "after the first kill.",
        f"- What the Celery worker did for the passes: {facts}.",
        f"- Verdict: **{'pass' if ok else 'FAIL'}**.",
        "",
        "Re-run: `.venv/bin/python bench/fault_gunicorn_kill.py --candidates "
        f"{args.candidates} --kills {args.kills}` (see `--help`).",
        "",
    ])
    if phases.samples:
        report += "\nFirst unexpected answers: " + "; ".join(phases.samples) + "\n"
    print(report)
    if not args.no_write:
        write_report(report, HEADING)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
