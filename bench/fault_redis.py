#!/usr/bin/env python
"""Fault run: Redis (cache, sessions, Celery broker) stopped for five minutes mid-window.

    .venv/bin/python bench/fault_redis.py --candidates 300 --outage-seconds 300
    .venv/bin/python bench/fault_redis.py --candidates 100 --outage-seconds 30   # quick check

Starts a private redis-server (a temporary folder, a free port: never the machine's shared
Redis) that is the cache and sessions (db 0) and the Celery broker (db 1), gunicorn under
`config.settings.production` on PostgreSQL database `ccso_redis` (bench/exam_window.py's
server, seeded with its helpers), and a Celery worker with beat. N candidates start within the
ramp, which runs into the outage, answer 18 questions plus changed answers and submit; a share
of them answer correctly, so their passes queue credential issuance. --outage-at seconds into
the window Redis is stopped (SIGTERM: it comes back empty, as one without persistence does) and
started --outage-seconds later.

It prints the statuses answered while Redis was down and over the whole run (no 5xx, no other
error expected: the cache answers from memory, sessions from the database), the answers lost
(each candidate's last acknowledged answer per question against the database after
submission: must be 0), the tasks kept in the outbox (core.OutboxTask) during the outage and
the time until the worker's beat drained them, and whether every pass got its credential.
Exit status 0 only when nothing was lost, no request failed and the outbox drained to 0. The
figures go into docs/performance.md ("Fault: Redis stopped").
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
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
    ensure_database,
    percentile,
    prepare,
    server_env,
    start_gunicorn,
    write_report,
)
from harness import HeaderClient, Phases, call  # noqa: E402

from tests.postgres_cluster import free_port  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

HEADING = "## Fault: Redis stopped"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ccso_redis"

# Looking up the correct keys opens a database connection in the client's thread: a few at a
# time, so the client never takes the shared server's connections from the web workers.
_lookups = threading.Semaphore(4)


def correct_keys(attempt_id: int) -> dict[int, list[str]]:
    """What a candidate who knows the material answers (read from the database, as the bench
    process may): position -> the correct keys."""
    from django.db import connection

    from exams.models import AttemptQuestion

    with _lookups:
        try:
            return {position: keys for position, keys in AttemptQuestion.objects.filter(
                attempt_id=attempt_id).values_list("position", "version__correct_keys")}
        finally:
            connection.close()


def candidate(person: dict, *, exam_id: int, port: int, start_at: float, think: float,
              resaves: int, knows: bool, phases: Phases, rng: random.Random, expected: dict,
              drain_limit: float) -> None:
    """fault_postgres_restart's client (answers queued until acknowledged, retried after
    Retry-After or with backoff), answering correctly when it `knows`."""
    time.sleep(max(0.0, start_at - time.monotonic()))
    client = HeaderClient(port)
    while True:
        status, data, wait = call(phases, client, "start", "POST",
                                  f"/api/v1/exams/{exam_id}/attempts", person)
        if status in (200, 201):
            break
        if status not in (0, 502, 503, 504):
            return
        time.sleep((wait or 1.0) * rng.uniform(1.0, 1.5))
    paper = json.loads(data)
    attempt_id, seq = paper["attempt_id"], paper["last_seq"]
    questions = paper["questions"]
    right = correct_keys(attempt_id) if knows else {}
    plan = list(questions) + [rng.choice(questions) for _ in range(resaves)]
    given: dict[int, list[str]] = {}
    queue: dict[int, dict] = {}
    not_before = 0.0
    failures = 0

    def flush() -> None:
        nonlocal not_before, failures
        for position in sorted(queue, key=lambda p: queue[p]["seq"]):
            if time.monotonic() < not_before:
                return
            item = queue[position]
            status, _body, wait = call(
                phases, client, "save", "PUT",
                f"/api/v1/exams/attempts/{attempt_id}/answers/{position}", person, item)
            if status == 200:
                failures = 0
                if queue.get(position) is item:
                    del queue[position]
            elif status in (0, 429, 500, 502, 503, 504):
                failures += 1
                backoff = wait or min(30.0, 2.0 ** min(failures, 5))
                not_before = time.monotonic() + backoff * rng.uniform(1.0, 1.5)
                return
            else:
                del queue[position]

    for question in plan:
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        options = [o["key"] for o in question["options"]]
        if knows:
            selected = sorted(right[question["position"]])
        else:
            selected = (sorted(rng.sample(options, 2)) if question["kind"] == "multiple"
                        else [rng.choice(options)])
        seq += 1
        given[question["position"]] = selected
        queue[question["position"]] = {"selected": selected, "flagged": False, "seq": seq}
        flush()
    deadline = time.monotonic() + drain_limit
    while queue and time.monotonic() < deadline:
        time.sleep(max(0.2, not_before - time.monotonic()))
        flush()
    while time.monotonic() < deadline:
        status, _data, wait = call(phases, client, "submit", "POST",
                                   f"/api/v1/exams/attempts/{attempt_id}/submit", person)
        if status not in (0, 502, 503, 504):
            break
        time.sleep(wait or 1.0)
    expected[attempt_id] = given


def start_worker(database_url: str, log_path: Path, schedule: Path) -> subprocess.Popen:
    """`celery worker --beat` on the private broker: beat sends core.tasks.outbox_drain."""
    env = server_env(database_url)
    log = log_path.open("w")
    worker = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "--beat",
         "--schedule", str(schedule), "--concurrency", "1", "--without-gossip",
         "--without-mingle", "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker exited:\n{log_path.read_text()}")
        if "ready." in log_path.read_text():
            return worker
        time.sleep(0.5)
    raise SystemExit(f"the Celery worker was not ready within 90 s:\n{log_path.read_text()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--outage-at", type=float, default=20.0,
                        help="seconds into the window when Redis is stopped")
    parser.add_argument("--outage-seconds", type=float, default=300.0)
    parser.add_argument("--ramp", type=float, default=None,
                        help="seconds over which candidates start (default: into the outage, "
                             "to three quarters of it)")
    parser.add_argument("--think", type=float, default=None,
                        help="mean seconds between answers (default: a paper takes half the "
                             "outage, so papers are submitted during it and after)")
    parser.add_argument("--resaves", type=int, default=4)
    parser.add_argument("--knowing-share", type=float, default=0.2,
                        help="share of candidates who answer correctly (their passes queue "
                             "credential issuance)")
    parser.add_argument("--drain-limit", type=float, default=240.0,
                        help="seconds to wait for queues and the outbox after the outage")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=None,
                        help="gunicorn's port (default: a free one, so that another run on "
                             "this machine cannot answer this one's clients)")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_REDIS_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")
    args = parser.parse_args()
    args.port = args.port or free_port()
    answers = 18 + args.resaves
    ramp = args.ramp if args.ramp is not None else args.outage_at + 0.75 * args.outage_seconds
    think = args.think if args.think is not None else args.outage_seconds / 2 / answers

    redis = RedisServer()
    server = worker = None
    scratch = redis.root
    try:
        redis.start()
        # exam_window's server_env reads these: gunicorn, the worker and this process share
        # the private Redis (cache and sessions on db 0, the broker on db 1).
        os.environ["BENCH_REDIS_URL"] = redis.url(0)
        os.environ["CELERY_BROKER_URL"] = redis.url(1)
        ensure_database(args.database_url)
        t_setup = time.monotonic()
        exam_id, people = prepare(args.database_url, args.candidates)
        from django.db import connection

        from core.models import OutboxTask

        OutboxTask.objects.all().delete()  # a clean outbox (benchmark database only)
        connection.close()
        print(f"setup: {len(people)} candidates on {args.database_url} in "
              f"{time.monotonic() - t_setup:.0f} s", flush=True)
        worker = start_worker(args.database_url, scratch / "worker.log",
                              scratch / "beat-schedule")
        server = start_gunicorn(args)
        phases = Phases()
        expected: dict[int, dict[int, list[str]]] = {}
        rng = random.Random(1618)
        knowing = set(rng.sample(range(len(people)), round(args.knowing_share * len(people))))
        outbox: dict[str, float] = {"peak": 0, "kept_at_up": 0}
        began = time.monotonic()

        def outage() -> None:
            time.sleep(max(0.0, began + args.outage_at - time.monotonic()))
            phases.down_at = time.monotonic()
            redis.stop()
            print(f"t={phases.down_at - began:.0f} s: Redis stopped", flush=True)
            while time.monotonic() < phases.down_at + args.outage_seconds:
                outbox["peak"] = max(outbox["peak"], OutboxTask.objects.count())
                time.sleep(1.0)
            outbox["kept_at_up"] = OutboxTask.objects.count()
            outbox["peak"] = max(outbox["peak"], outbox["kept_at_up"])
            redis.start()
            phases.up_at = time.monotonic()
            print(f"t={phases.up_at - began:.0f} s: Redis started "
                  f"({outbox['kept_at_up']:.0f} tasks in the outbox)", flush=True)
            connection.close()

        fault = threading.Thread(target=outage)
        fault.start()
        with ThreadPoolExecutor(max_workers=len(people)) as pool:
            futures = [
                pool.submit(candidate, person, exam_id=exam_id, port=args.port,
                            start_at=began + ramp * i / len(people), think=think,
                            resaves=args.resaves, knows=i in knowing, phases=phases,
                            rng=random.Random(rng.random()), expected=expected,
                            drain_limit=args.drain_limit)
                for i, person in enumerate(people)
            ]
            for future in futures:
                future.result()
        window_ended = time.monotonic()
        fault.join()
        up = phases.up_at or window_ended
        deadline = max(window_ended, up) + args.drain_limit
        while OutboxTask.objects.exists() and time.monotonic() < deadline:
            time.sleep(1.0)
        kept_left = OutboxTask.objects.count()
        drained_after = time.monotonic() - up
        lost, checked = count_lost(expected)
        # Every pass got its credential (issued, or a renewal of one held from an earlier run)
        # once the worker had run what the outbox sent; give it the drain limit too.
        from certification.models import Credential, CredentialRenewal
        from exams.models import Attempt

        passed = {f"exams.attempt:{pk}" for pk in Attempt.objects.filter(
            pk__in=list(expected), passed=True).values_list("pk", flat=True)}

        def credited() -> set[str]:
            return (set(Credential.objects.filter(source_key__in=passed)
                        .values_list("source_key", flat=True))
                    | set(CredentialRenewal.objects.filter(source_key__in=passed)
                          .values_list("source_key", flat=True)))

        while credited() != passed and time.monotonic() < deadline:
            time.sleep(1.0)
        missing_credentials = len(passed - credited())
        connection.close()
    finally:
        for process in (server, worker):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
        worker_log = (scratch / "worker.log").read_text() if (scratch / "worker.log").exists() \
            else ""
        redis.destroy()

    errors = sum(n for label, n in phases.whole.items()
                 if label.split()[1] not in ("200", "201"))
    fives = sum(n for label, n in phases.whole.items()
                if label.split()[1].isdigit() and int(label.split()[1]) >= 500)
    during = ", ".join(f"{label}: {n}" for label, n in sorted(phases.during.items()))
    whole = ", ".join(f"{label}: {n}" for label, n in sorted(phases.whole.items()))
    drains = sum(1 for line in worker_log.splitlines()
                 if "core.tasks.outbox_drain" in line and "succeeded" in line
                 and "'sent': 0" not in line)
    report = "\n".join([
        HEADING,
        "",
        f"`bench/fault_redis.py` run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: "
        f"{len(people)} candidates start within {ramp:.0f} s and give 18 answers plus "
        f"{args.resaves} changed ones (mean {think:.1f} s apart; "
        f"{len(knowing)} of them answer correctly, so their passes queue credential "
        "issuance) through fault_postgres_restart's client (answers queued until "
        "acknowledged); gunicorn "
        f"{args.workers} × {args.threads} (gthread), `config.settings.production` on "
        "PostgreSQL, a Celery worker with beat; a private redis-server (cache and sessions "
        f"on db 0, the broker on db 1) stopped {args.outage_at:.0f} s into the window and "
        f"started {args.outage_seconds:.0f} s later, empty. Load average "
        f"{os.getloadavg()[0]:.1f} at the end (the 2 cores are shared: a functional check, "
        "not a speed figure).",
        "",
        f"- While Redis was down: {during}.",
        f"- Requests that did not answer 2xx over the whole run: **{errors}** (5xx: "
        f"**{fives}**). All requests: {whole}.",
        f"- Answers lost: **{lost}** of {checked} (each candidate's last answer per question, "
        "checked in the database after submission).",
        f"- Outbox: up to {outbox['peak']:.0f} tasks kept while the broker was down "
        f"({outbox['kept_at_up']:.0f} when Redis started); **{kept_left}** left "
        f"{drained_after:.0f} s after it started (beat's `core.tasks.outbox_drain`, every "
        f"minute; {drains} drain run(s) sent tasks). Passes: {len(passed)}, without their "
        f"credential at the end: **{missing_credentials}**.",
        f"- Acknowledged saves p50 {percentile(phases.save_ms, 50):.0f} / p95 "
        f"{percentile(phases.save_ms, 95):.0f} ms over the run.",
        "",
        "Re-run: `.venv/bin/python bench/fault_redis.py --candidates "
        f"{len(people)} --outage-at {args.outage_at:.0f} --outage-seconds "
        f"{args.outage_seconds:.0f}` (see `--help`).",
        "",
    ])
    if phases.samples:
        report += "\nFirst unexpected answers: " + "; ".join(phases.samples) + "\n"
    print(report)
    if not args.no_write:
        write_report(report, HEADING)
    ok = lost == 0 and errors == 0 and kept_left == 0 and missing_credentials == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
