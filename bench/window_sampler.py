#!/usr/bin/env python
"""Samples the server while an exam window runs, to find where requests wait: every 0.5 s,
PostgreSQL's client backends of one database by state and wait event, the autovacuum workers,
checkpoints and the statements running longer than 200 ms; every second, the CPU of gunicorn,
PostgreSQL, the bench client and Redis (from /proc).

    .venv/bin/python bench/window_sampler.py --database ccso_wave --seconds 240 > samples.txt

Start it with the window (bench/exam_window.py); docs/performance.md ("the start of the
window") reads its output.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
KINDS = (("gunicorn", "gunicorn"), ("exam_window.py", "client"), ("postgres", "postgres"),
         ("redis-server", "redis"))


def _cpu_by_process() -> dict[str, tuple[str, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kind = next((name for marker, name in KINDS if marker in command), "other")
        found[entry.name] = (kind, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def _database_sample(conn, database: str) -> str:  # type: ignore[no-untyped-def]
    waits = conn.execute(
        "SELECT coalesce(wait_event_type, '-') || ':' || coalesce(wait_event, '-'), count(*) "
        "FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
        "AND state = 'active' GROUP BY 1 ORDER BY 2 DESC", [database]).fetchall()
    vacuum = conn.execute("SELECT left(query, 60) FROM pg_stat_activity "
                          "WHERE backend_type = 'autovacuum worker'").fetchall()
    checkpoints = conn.execute(
        "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter").fetchone()[0]
    slow = conn.execute(
        "SELECT round(extract(epoch FROM now() - query_start) * 1000), left(query, 60) "
        "FROM pg_stat_activity WHERE datname = %s AND state = 'active' "
        "AND backend_type = 'client backend' AND now() - query_start > interval '200 ms' "
        "ORDER BY 1 DESC LIMIT 3", [database]).fetchall()
    active = sum(n for _wait, n in waits)
    return (f"active={active} waits={dict(waits)} autovacuum={[v[0] for v in vacuum]} "
            f"checkpoints={checkpoints} slow={[(int(ms), q) for ms, q in slow]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True, help="the window's database name")
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    import psycopg

    conn = psycopg.connect(args.admin_url, autocommit=True)
    began = time.monotonic()
    before, cpu_at = _cpu_by_process(), time.monotonic()
    while time.monotonic() - began < args.seconds:
        now = time.monotonic()
        line = f"{time.strftime('%H:%M:%S', time.gmtime())} {_database_sample(conn, args.database)}"
        if now - cpu_at >= 1.0:
            after = _cpu_by_process()
            share: dict[str, float] = {}
            for pid, (kind, cpu) in after.items():
                share[kind] = share.get(kind, 0.0) + cpu - before.get(pid, (kind, 0.0))[1]
            line += " cpu " + " ".join(f"{kind}={100 * used / (now - cpu_at):.0f}%"
                                       for kind, used in sorted(share.items()))
            before, cpu_at = after, now
        print(line, flush=True)
        time.sleep(max(0.0, 0.5 - (time.monotonic() - now)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
