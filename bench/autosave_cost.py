#!/usr/bin/env python
"""What one autosave costs the server, measured so that the machine's load does not change it:
CPU time of the serving process per request, and its round trips (SQL statements and Redis
commands), for the autosave endpoint and for the floor view (bench/exam_window.py's bare
Django view doing the same upsert).

    BENCH_REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/autosave_cost.py \
        --database-url postgres://postgres@127.0.0.1:5432/ccso_t16 --requests 2000

The requests go through Django's WSGI handler in this process, exactly as gunicorn calls it
(production settings, the whole middleware stack, the session cookie and CSRF token of a
signed-in candidate), one after another, with no HTTP client in the way. CPU is
`time.process_time()` of this process (user + system): what a gunicorn worker spends; and,
read from /proc, the CPU of the PostgreSQL backend serving its connection (Redis's own CPU is
not counted: one GET per autosave). With `--profile` it prints cProfile's top functions of the
autosave by CPU time (`--sort cumulative` or `tottime`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from exam_window import DEFAULT_DB, _cpu_seconds, ensure_database, prepare


class Counts:
    def __init__(self) -> None:
        self.sql = 0
        self.redis: Counter[str] = Counter()


def _install_counters(counts: Counts) -> None:
    """Count SQL statements (every connection's execute) and Redis commands (redis-py's
    connection-level send, which pipelines and plain calls both go through)."""
    from django.db import connections
    from django.db.backends.signals import connection_created
    from redis.connection import AbstractConnection

    def sql_wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counts.sql += 1
        return execute(sql, params, many, context)

    def wrap(connection: Any) -> None:
        if sql_wrapper not in connection.execute_wrappers:
            connection.execute_wrappers.append(sql_wrapper)

    connection_created.connect(lambda connection, **kw: wrap(connection), weak=False)
    for alias in connections:
        wrap(connections[alias])

    original = AbstractConnection.send_command

    def send_command(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        counts.redis[str(args[0]).upper()] += 1
        return original(self, *args, **kwargs)

    AbstractConnection.send_command = send_command  # type: ignore[method-assign]


def _backend_pid() -> int:
    """The PostgreSQL backend serving this process's (persistent) connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _environ(method: str, path: str, body: bytes, person: dict | None) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8765", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
        "HTTP_CONNECTION": "keep-alive", "HTTP_ACCEPT_ENCODING": "identity",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if person:
        environ["HTTP_COOKIE"] = f"sessionid={person['session']}; csrftoken={person['csrf']}"
        environ["HTTP_X_CSRFTOKEN"] = person["csrf"]
    return environ


def call(app: Any, method: str, path: str, body: dict | None = None,
         person: dict | None = None) -> tuple[int, bytes]:
    payload = json.dumps(body).encode() if body is not None else b""
    status: list[str] = []

    def start_response(s: str, headers: list, exc_info: Any = None) -> None:
        status.append(s)

    chunks = app(_environ(method, path, payload, person), start_response)
    try:
        data = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # request_finished: closes or keeps the connection, as gunicorn does
    return int(status[0].split()[0]), data


def measure(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    ensure_database(args.database_url)
    exam_id, people = prepare(args.database_url, 1)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    from exams.models import AttemptQuestion

    settings.ROOT_URLCONF = "exam_window"
    app = get_wsgi_application()
    person = people[0]
    status, data = call(app, "POST", f"/api/v1/exams/{exam_id}/attempts", {}, person)
    if status not in (200, 201):
        raise SystemExit(f"could not start an attempt: HTTP {status} {data[:300]!r}")
    paper = json.loads(data)
    attempt_id = paper["attempt_id"]
    positions = [q["position"] for q in paper["questions"]]
    items = list(AttemptQuestion.objects.filter(attempt_id=attempt_id).order_by("position")
                 .values_list("pk", flat=True))
    counts = Counts()
    _install_counters(counts)
    seq = 1000

    def one(kind: str, n: int) -> int:
        nonlocal seq
        seq += 1
        if kind == "save":
            status, data = call(
                app, "PUT", f"/api/v1/exams/attempts/{attempt_id}/answers/"
                f"{positions[n % len(positions)]}",
                {"selected": ["A"], "flagged": False, "seq": seq}, person)
        else:
            status, data = call(app, "PUT", f"/bench/floor/{items[n % len(items)]}",
                                {"selected": ["A"], "seq": seq})
        if status != 200 or b'"applied": true' not in data.replace(b'":true', b'": true'):
            raise SystemExit(f"{kind}: HTTP {status} {data[:300]!r}")
        return status

    results: dict[str, dict[str, Any]] = {}
    for kind in ("save", "floor"):
        for n in range(args.warmup):
            one(kind, n)
    per_round = max(1, args.requests // args.rounds)
    # Alternated in rounds, so a change of the machine's load falls on both kinds; the median
    # round is reported (another process's burst inflates a round's CPU through shared caches).
    for _round in range(args.rounds):
        for kind in ("save", "floor"):
            backend = _backend_pid()
            pg0 = _cpu_seconds(backend)
            counts.sql, counts.redis = 0, Counter()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for n in range(per_round):
                one(kind, n)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            pg = _cpu_seconds(backend) - pg0 if _backend_pid() == backend else float("nan")
            r = results.setdefault(kind, {"n": 0, "cpu": [], "wall": [], "sql": 0,
                                          "redis": Counter(), "pg": []})
            r["n"] += per_round
            r["cpu"].append(cpu / per_round)
            r["pg"].append(pg / per_round)
            r["wall"].append(wall / per_round)
            r["sql"] += counts.sql
            r["redis"].update(counts.redis)
    if args.profile:
        # CPU time, not wall time: waiting for PostgreSQL or Redis is not the process's cost.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for n in range(args.requests // 2):
            one("save", n)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
        stats.print_stats(args.profile_lines)
        print(out.getvalue())
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--requests", type=int, default=2000, help="of each kind")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6,
                        help="alternations of autosave and floor; the median is reported")
    parser.add_argument("--profile", action="store_true", help="cProfile the autosave")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--profile-lines", type=int, default=60)
    args = parser.parse_args()
    results = measure(args)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| request | n | CPU ms / request (median round; min–max) | PostgreSQL CPU ms "
          "| wall ms / request | SQL / request | Redis / request |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    cpu = {}
    for kind, r in results.items():
        n = r["n"]
        cpu[kind] = statistics.median(r["cpu"])
        redis = sum(r["redis"].values()) / n
        commands = ", ".join(f"{c} {v / n:.2f}" for c, v in r["redis"].items())
        print(f"| {kind} | {n} | {1000 * cpu[kind]:.3f} ({1000 * min(r['cpu']):.3f}–"
              f"{1000 * max(r['cpu']):.3f}) | {1000 * statistics.median(r['pg']):.3f} | "
              f"{1000 * statistics.median(r['wall']):.3f} | "
              f"{r['sql'] / n:.2f} | {redis:.2f}{f' ({commands})' if commands else ''} |")
    pg = {kind: statistics.median(r["pg"]) for kind, r in results.items()}
    print(f"CPU per request, floor ÷ autosave: this process {cpu['floor'] / cpu['save']:.2f}, "
          f"with PostgreSQL's {(cpu['floor'] + pg['floor']) / (cpu['save'] + pg['save']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
