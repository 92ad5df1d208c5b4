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
import json
import os
import random
import signal
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from exam_window import (  # noqa: E402
    Client,
    count_lost,
    percentile,
    prepare,
    start_gunicorn,
    write_report,
)

from tests.postgres_cluster import PostgresCluster  # noqa: E402

HEADING = "## Fault: PostgreSQL restarted"


class Phases:
    """When the database went down and came back, and what each request got in between."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_at: float | None = None
        self.up_at: float | None = None
        self.first_ok_after_up: float | None = None
        self.backlog_sent: float | None = None  # last answer given before the restart, saved
        self.during: Counter[str] = Counter()  # stop → first acknowledged save after start
        self.whole: Counter[str] = Counter()
        self.samples: list[str] = []
        self.save_ms: list[float] = []

    def record(self, kind: str, status: int | str, seconds: float, body: bytes = b"") -> None:
        now = time.monotonic()
        with self.lock:
            label = f"{kind} {status}"
            self.whole[label] += 1
            if self.down_at is not None and (self.first_ok_after_up is None):
                self.during[label] += 1
            if (kind == "save" and status == 200 and self.up_at is not None
                    and self.first_ok_after_up is None):
                self.first_ok_after_up = now
            if kind == "save" and status == 200:
                self.save_ms.append(seconds * 1000)
            if status not in (200, 201, 503) and len(self.samples) < 10:
                self.samples.append(f"{label}: {body[:160]!r}")


class HeaderClient(Client):
    """exam_window's keep-alive client, keeping the last response's headers (Retry-After)."""

    last_headers: dict[str, str]

    def request(self, method: str, path: str, person: dict | None,
                body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}
        if person:
            headers["Cookie"] = f"sessionid={person['session']}; csrftoken={person['csrf']}"
            headers["X-CSRFToken"] = person["csrf"]
        payload = json.dumps(body).encode() if body is not None else None
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            self.last_headers = dict(response.getheaders())
            return response.status, response.read()
        except OSError:
            self.conn.close()
            raise


def call(phases: Phases, client: HeaderClient, kind: str, method: str, path: str, person: dict,
         body: dict | None = None) -> tuple[int, bytes, float]:
    """One request; returns (status or 0 for a network error, body, seconds to wait first when
    it should be retried)."""
    t0 = time.perf_counter()
    try:
        status, data = client.request(method, path, person, body)
    except OSError as exc:
        phases.record(kind, type(exc).__name__, time.perf_counter() - t0)
        return 0, b"", 1.0
    phases.record(kind, status, time.perf_counter() - t0, data)
    retry_after = 0.0
    if status == 503:
        retry_after = float(client.last_headers.get("Retry-After", "5"))
    return status, data, retry_after


def candidate(person: dict, *, exam_id: int, port: int, start_at: float, think: float,
              resaves: int, phases: Phases, rng: random.Random, expected: dict,
              drain_limit: float) -> None:
    time.sleep(max(0.0, start_at - time.monotonic()))
    client = HeaderClient(port)
    wait = 0.0
    while True:  # starting is retried like a save: a candidate may arrive during the outage
        status, data, wait = call(phases, client, "start", "POST",
                                  f"/api/v1/exams/{exam_id}/attempts", person)
        if status in (200, 201):
            break
        if status not in (0, 502, 503, 504):
            return
        time.sleep(wait * rng.uniform(1.0, 1.5))
    paper = json.loads(data)
    attempt_id, seq = paper["attempt_id"], paper["last_seq"]
    questions = paper["questions"]
    plan = list(questions) + [rng.choice(questions) for _ in range(resaves)]
    given: dict[int, list[str]] = {}     # the candidate's latest answer per question
    queue: dict[int, dict] = {}          # position -> the newest unacknowledged save
    given_at: dict[int, float] = {}      # position -> when its queued answer was given
    not_before = 0.0                     # honour Retry-After / backoff
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
                    with phases.lock:
                        if phases.up_at is not None and given_at[position] < phases.up_at:
                            phases.backlog_sent = time.monotonic()
            elif status in (0, 429, 500, 502, 503, 504):
                failures += 1
                backoff = wait or min(30.0, 2.0 ** min(failures, 5))
                not_before = time.monotonic() + backoff * rng.uniform(1.0, 1.5)
                return
            else:  # the server refused it for good (e.g. past the deadline): it stays "given"
                del queue[position]

    for question in plan:
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        options = [o["key"] for o in question["options"]]
        selected = (sorted(rng.sample(options, 2)) if question["kind"] == "multiple"
                    else [rng.choice(options)])
        seq += 1
        given[question["position"]] = selected
        queue[question["position"]] = {"selected": selected, "flagged": False, "seq": seq}
        given_at[question["position"]] = time.monotonic()
        flush()
    deadline = time.monotonic() + drain_limit
    while queue and time.monotonic() < deadline:  # submit waits for the queue, as the page does
        time.sleep(max(0.2, not_before - time.monotonic()))
        flush()
    while time.monotonic() < deadline:
        status, _data, wait = call(phases, client, "submit", "POST",
                                   f"/api/v1/exams/attempts/{attempt_id}/submit", person)
        if status not in (0, 502, 503, 504):
            break
        time.sleep(wait or 1.0)
    expected[attempt_id] = given


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
