#!/usr/bin/env python
"""Benchmark: issue N credentials with PDFs through the Celery path (a real worker on Redis).

    .venv/bin/python bench/credentials_pdf.py --count 1000 [--concurrency 2]

What it does
1. (Re)creates the PostgreSQL database `ccso_cert_bench` and migrates it.
2. Starts `celery worker` (prefork, --concurrency N) on Redis db 13, which only this benchmark
   uses, with a throw-away MEDIA_ROOT and the dummy email backend.
3. Creates N people and queues `credential_issue_for_pass_task` for each, exactly as the
   `attempt_passed` receiver does; each issue queues its PDF task on commit.
4. Waits until every credential has its PDF; samples the worker processes' RSS meanwhile.
Reports the median and p95 time per PDF (from the worker's own task timings), the total wall
time from the first task queued to the last PDF stored, and the workers' peak RSS with samples
along the run (to show whether memory stays flat).

Environment: BENCH_DATABASE (default postgres://postgres@127.0.0.1:5432/ccso_cert_bench),
BENCH_BROKER (default redis://127.0.0.1:6379/13).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE_URL = os.environ.get("BENCH_DATABASE",
                              "postgres://postgres@127.0.0.1:5432/ccso_cert_bench")
BROKER_URL = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/13")


def _recreate_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _pool_pids(pid: int) -> list[int]:
    """The worker and its children (the prefork pool)."""
    try:
        return [pid, *(int(c) for c in
                       Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:
        return [pid]


def _rss_kb(pid: int) -> int:
    """RSS of a process and its children (the prefork pool), in KiB."""
    total = 0
    for p in _pool_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (the prefork pool)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _pool_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except OSError:
            continue
    return total / ticks


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="ccso-bench-media-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "MEDIA_ROOT": str(media),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "INFO",
    }
    os.environ.update(env)

    print(f"database {DATABASE_URL}, broker {BROKER_URL}, {args.count} credentials, "
          f"worker concurrency {args.concurrency}", flush=True)
    _recreate_database()
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT,
                   env=env, check=True)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from accounts.models import User
    from certification.models import Credential
    from certification.tasks import credential_issue_for_pass_task
    from config.celery import app

    app.control.purge()
    users = User.objects.bulk_create(
        User(email=f"bench{i}@example.com", name_zh=f"测试{i:04d}", name_en=f"CESHI {i:04d}",
             password="!")  # noqa: S106 - unusable password
        for i in range(args.count)
    )

    log_path = media / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
             f"--concurrency={args.concurrency}", "--without-gossip", "--without-mingle",
             "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log_path.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                print(log_path.read_text())
                return 1
            time.sleep(0.3)
        idle_rss = _rss_kb(worker.pid)
        cpu_before = _cpu_seconds(worker.pid)
        load_before = _load()

        passed_at = timezone.now().isoformat()
        started = time.perf_counter()
        for index, user in enumerate(users):
            credential_issue_for_pass_task.delay(
                user_id=user.pk, source_key=f"bench.attempt:{index}", exam_score="75.00",
                passed_at=passed_at)
        queued = time.perf_counter() - started

        samples: list[tuple[int, int]] = []
        peak = idle_rss
        done = 0
        while done < args.count:
            if time.perf_counter() - started > args.timeout:
                print(f"timeout with {done} PDFs done", flush=True)
                return 1
            time.sleep(1)
            done = Credential.objects.exclude(pdf="").count()
            rss = _rss_kb(worker.pid)
            peak = max(peak, rss)
            samples.append((done, rss))
        total = time.perf_counter() - started
        cpu_used = _cpu_seconds(worker.pid) - cpu_before
        load_after = _load()
    finally:
        worker.terminate()
        worker.wait(timeout=60)

    timings = [float(t) for t in re.findall(
        r"credential_pdf_generate_task\[[^\]]+\] succeeded in ([0-9.]+)s", log_path.read_text())]
    issue_timings = [float(t) for t in re.findall(
        r"credential_issue_for_pass_task\[[^\]]+\] succeeded in ([0-9.]+)s",
        log_path.read_text())]
    numbers = list(Credential.objects.order_by("number").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == args.count
    sizes = [p.stat().st_size for p in (media / "certificates").rglob("*.pdf")]

    def at(fraction: float) -> int:
        target = args.count * fraction
        return next((rss for n, rss in samples if n >= target), samples[-1][1])

    report = {
        "count": args.count,
        "worker_concurrency": args.concurrency,
        "cpus": os.cpu_count(),
        "pdfs_stored": len(sizes),
        "pdf_task_median_s": round(statistics.median(timings), 3),
        "pdf_task_p95_s": round(statistics.quantiles(timings, n=20)[18], 3),
        "issue_task_median_s": round(statistics.median(issue_timings), 3),
        "queueing_s": round(queued, 1),
        "total_s": round(total, 1),
        "throughput_per_min": round(args.count / total * 60, 1),
        "worker_cpu_s_per_credential": round(cpu_used / args.count, 3),
        "load_average_before_after": [load_before, load_after],
        "pdf_median_kb": round(statistics.median(sizes) / 1024, 1),
        "worker_rss_idle_mb": round(idle_rss / 1024, 1),
        "worker_rss_peak_mb": round(peak / 1024, 1),
        "worker_rss_at_10_50_100_pct_mb": [round(at(f) / 1024, 1) for f in (0.1, 0.5, 1.0)],
        "first_last_number": [numbers[0], numbers[-1]],
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    shutil.rmtree(media, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
