#!/usr/bin/env python
"""Exam-window benchmark: N candidates start an exam within a ramp (default one minute), save
answers continuously, and submit, against gunicorn + PostgreSQL on this machine.

    .venv/bin/python bench/exam_window.py --candidates 300
    .venv/bin/python bench/exam_window.py --candidates 2000 --runs 3

The window runs `--runs` times (default 3: the submit-wave stall did not show in every run, so
one run is not evidence). For each run and for the worst of them it reports p50/p95/p99 of start,
save and submit, the errors, and the answers lost (each candidate's last acknowledged answer
compared with the database after submission: must be 0). Then the floor: the same upsert through
a bare Django view (no session, no API layer, no attempt lock or log), once at the window's pacing
and once at saturation, where the ratio of autosave to floor requests per second is what the
request path costs. The figures go into docs/performance.md ("Exam window").

The server runs `config.settings.production` (DEBUG off, Redis cache and sessions, persistent
database connections) with the URLconf of this module: the project's URLs plus the floor view.
Sessions are created directly in the session store (signing in N people through the login form
would benchmark password hashing). HTTP from the client is `http.client` with one keep-alive
connection per client thread; the client shares the machine's cores with the server, so the
figures include client-side queueing: read them as an upper bound.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/ccso_bench"
COURSE_CODE = "bench-course"
EXAM_TITLE = "Benchmark exam"


# --- The server side: URLconf with the floor view (imported by gunicorn, see wsgi_app) ---------


def floor_save(request, item_id: int):  # type: ignore[no-untyped-def]
    """The floor: the same ordered upsert, without session, API layer, lock or log."""
    from django.http import JsonResponse
    from django.utils import timezone

    from exams.models import AttemptQuestion

    body = json.loads(request.body)
    updated = AttemptQuestion.objects.filter(pk=item_id, seq__lt=body["seq"]).update(
        selected=body["selected"], seq=body["seq"], answered_at=timezone.now()
    )
    return JsonResponse({"applied": bool(updated)})


def _urlpatterns() -> list:
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt

    return [
        path("bench/floor/<int:item_id>", csrf_exempt(floor_save)),
        path("", include("config.urls")),
    ]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # Lazily built so that importing this module needs no configured Django.
    if name == "urlpatterns":
        return _urlpatterns()
    if name.startswith("handler"):
        # The project's error views too: handler500 answers 503 for an unreachable database.
        import config.urls

        return getattr(config.urls, name)
    raise AttributeError(name)


def wsgi_app():  # type: ignore[no-untyped-def]
    """gunicorn entry point: `exam_window:wsgi_app()` with --pythonpath bench."""
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    from core.warmup import warm_up

    django.setup()
    settings.ROOT_URLCONF = "exam_window"
    application = get_wsgi_application()
    warm_up()
    return application


# --- Setup ---------------------------------------------------------------------------------------


def server_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SITE_URL": "https://academy.example.cn",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "LOG_LEVEL": "WARNING",
    })
    return env


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(database_url: str, candidates: int) -> tuple[int, list[dict]]:
    """Migrate, load the bank, create the exam and N eligible candidates with sessions.
    Returns (exam_id, [{"session": key, "csrf": token, "user_id": id}])."""
    env = server_env(database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from exams import demo
    from exams.models import Attempt, BlueprintRule, Exam, Sitting
    from exams.services import question_save
    from lms.models import Cohort, Course, Enrolment

    for question in demo.demo_questions():
        # The bench needs no standard loaded: the question's item of the sample standard
        # (`item_code`, which exams.demo.load resolves) is left out.
        question.pop("item_code", None)
        question_save(**question)
    with transaction.atomic():
        course, _ = Course.objects.get_or_create(
            code=COURSE_CODE, defaults={"title": "Benchmark course", "price": 0})
        today = timezone.localdate()
        cohort, _ = Cohort.objects.get_or_create(
            code="bench-cohort",
            defaults={"course": course, "title": "bench", "day_1": today - timedelta(days=5),
                      "day_2": today - timedelta(days=4), "day_3": today - timedelta(days=3),
                      "capacity": 100000, "price": 0,
                      "enrolment_deadline": timezone.now() - timedelta(days=6)})
        exam, created = Exam.objects.get_or_create(
            title=EXAM_TITLE,
            defaults={"course": course, "duration_minutes": 60, "is_published": True,
                      "max_attempts": 1000, "retake_wait_hours": 0})
        if created:
            BlueprintRule.objects.bulk_create(
                [BlueprintRule(exam=exam, module_number=m, count=2) for m in range(1, 10)])
        now = timezone.now()
        Sitting.objects.create(exam=exam, starts_at=now - timedelta(minutes=5),
                               ends_at=now + timedelta(hours=3))
        # A clean window (benchmark database only): earlier runs' attempts are removed so that
        # everyone may start again (a pass would otherwise make a candidate ineligible).
        Attempt.objects.filter(exam=exam).delete()
    existing = {u.email: u for u in User.objects.filter(email__startswith="bench-")}
    new_users = [
        User(email=f"bench-{i:05d}@example.com", name_zh=f"压测{i}",
             password="!")  # noqa: S106 - unusable password: sessions are made directly
        for i in range(candidates) if f"bench-{i:05d}@example.com" not in existing
    ]
    User.objects.bulk_create(new_users, batch_size=500)
    users = list(User.objects.filter(email__startswith="bench-").order_by("email")[:candidates])
    enrolled = set(Enrolment.objects.filter(cohort=cohort).values_list("user_id", flat=True))
    Enrolment.objects.bulk_create([
        Enrolment(cohort=cohort, user=u, state=Enrolment.State.COMPLETED, price=0,
                  reference=f"BENCH{u.pk:010d}")
        for u in users if u.pk not in enrolled
    ], batch_size=500)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    people = []
    for user in users:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        people.append({"session": store.session_key, "csrf": secrets.token_hex(16),
                       "user_id": user.pk})
    return exam.pk, people


# --- The load ----------------------------------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.began = time.monotonic()
        self.timeline: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latency[kind].append(seconds)
            self.timeline[kind].append((time.monotonic() - self.began, seconds))
            if not ok:
                self.errors[kind] += 1
                if len(self.error_samples) < 10:
                    self.error_samples.append(f"{kind}: {detail}")


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, person: dict | None,
                body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "Host": "127.0.0.1"}
        if person:
            headers["Cookie"] = f"sessionid={person['session']}; csrftoken={person['csrf']}"
            headers["X-CSRFToken"] = person["csrf"]
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, OSError):
                self.conn.close()
                self.conn = HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


_local = threading.local()


def _client(port: int) -> Client:
    if not hasattr(_local, "client"):
        _local.client = Client(port)
    return _local.client


def _timed(rec: Recorder, kind: str, client: Client, method: str, path: str,
           person: dict | None, body: dict | None = None,
           ok_statuses: tuple[int, ...] = (200, 201)) -> tuple[int, bytes]:
    t0 = time.perf_counter()
    try:
        status, data = client.request(method, path, person, body)
    except Exception as exc:  # any failure is counted as an error
        rec.add(kind, time.perf_counter() - t0, False, repr(exc))
        return 0, b""
    rec.add(kind, time.perf_counter() - t0, status in ok_statuses,
            f"HTTP {status} {data[:120]!r}")
    return status, data


def candidate_session(person: dict, *, exam_id: int, port: int, start_at: float,
                      think: float, resaves: int, rec: Recorder, rng: random.Random,
                      expected: dict) -> None:
    time.sleep(max(0.0, start_at - time.monotonic()))
    client = _client(port)
    status, data = _timed(rec, "start", client, "POST", f"/api/v1/exams/{exam_id}/attempts",
                          person)
    if status not in (200, 201):
        return
    paper = json.loads(data)
    attempt_id = paper["attempt_id"]
    seq = paper["last_seq"]
    final: dict[int, list[str]] = {}
    questions = paper["questions"]
    plan = [q for q in questions] + [rng.choice(questions) for _ in range(resaves)]
    for question in plan:
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        options = [o["key"] for o in question["options"]]
        selected = (sorted(rng.sample(options, 2)) if question["kind"] == "multiple"
                    else [rng.choice(options)])
        seq += 1
        status, _data = _timed(
            rec, "save", client, "PUT",
            f"/api/v1/exams/attempts/{attempt_id}/answers/{question['position']}", person,
            {"selected": selected, "flagged": False, "seq": seq})
        if status == 200:
            final[question["position"]] = selected
    _timed(rec, "submit", client, "POST", f"/api/v1/exams/attempts/{attempt_id}/submit", person)
    expected[attempt_id] = final


def floor_session(items: list[int], *, port: int, think: float, rec: Recorder,
                  rng: random.Random) -> None:
    client = _client(port)
    for n, item_id in enumerate(items, start=1):
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        _timed(rec, "floor save", client, "PUT", f"/bench/floor/{item_id}", None,
               {"selected": ["A"], "seq": 10_000 + n})


def count_lost(expected: dict[int, dict[int, list[str]]]) -> tuple[int, int]:
    from exams.models import AttemptQuestion

    lost = checked = 0
    rows = AttemptQuestion.objects.filter(attempt_id__in=list(expected)).values_list(
        "attempt_id", "position", "selected")
    stored = {(a, p): s for a, p, s in rows}
    for attempt_id, answers in expected.items():
        for position, selected in answers.items():
            checked += 1
            if stored.get((attempt_id, position)) != selected:
                lost += 1
    return lost, checked


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def _worker_class(args: argparse.Namespace) -> str:
    # The fault runs (bench/fault_*.py) have no --worker-class: they run gthread, as recorded.
    return getattr(args, "worker_class", "gthread")


def server_shape(args: argparse.Namespace) -> str:
    if _worker_class(args) == "sync":
        return f"{args.workers} sync workers"
    return f"{args.workers} workers × {args.threads} threads (gthread)"


def start_gunicorn(args: argparse.Namespace) -> subprocess.Popen:
    env = server_env(args.database_url)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "exam_window:wsgi_app()",
        "--pythonpath", f"{ROOT},{ROOT / 'bench'}", "--chdir", str(ROOT),
        "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers),
        # gunicorn turns a sync worker with threads into gthread: a sync run passes one.
        "--worker-class", _worker_class(args),
        "--threads", str(args.threads if _worker_class(args) == "gthread" else 1),
        "--backlog", "4096", "--keep-alive", "75", "--worker-connections", "4000",
        "--log-level", "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = HTTPConnection("127.0.0.1", args.port, timeout=2)
            conn.request("GET", "/api/v1/health", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not become healthy within 60 s")


def write_report(text: str, heading: str = "## Exam window", *, dated: bool = False) -> None:
    """Put `text` under `heading` in docs/performance.md: replacing the section (a fault run's
    one result), or, `dated`, as its newest subsection above the earlier ones, which are the
    record of what was measured before (the exam window's runs)."""
    path = ROOT / "docs" / "performance.md"
    current = path.read_text("utf-8") if path.exists() else "# Performance\n"
    start = current.find(heading)
    if start == -1:
        updated = current.rstrip() + "\n\n" + (f"{heading}\n\n{text}" if dated else text)
    elif dated:
        body = current.find("\n", start) + 1
        updated = current[:body] + "\n" + text.rstrip() + "\n\n" + current[body:].lstrip("\n")
    else:
        end = current.find("\n## ", start + 1)
        updated = current[:start] + text + (current[end + 1:] if end != -1 else "")
    path.write_text(updated.rstrip() + "\n", "utf-8")


def run_window(args: argparse.Namespace, exam_id: int, people: list[dict],
               rng: random.Random) -> dict:
    """One exam window: every candidate starts, saves and submits. Returns its figures."""
    rec = Recorder()
    expected: dict[int, dict[int, list[str]]] = {}
    began = time.monotonic()
    rec.began = began
    with ThreadPoolExecutor(max_workers=args.client_threads) as pool:
        futures = [
            pool.submit(candidate_session, person, exam_id=exam_id, port=args.port,
                        start_at=began + args.ramp * i / len(people), think=args.think,
                        resaves=args.resaves, rec=rec, rng=random.Random(rng.random()),
                        expected=expected)
            for i, person in enumerate(people)
        ]
        for future in futures:
            future.result()
    window = time.monotonic() - began
    lost, checked = count_lost(expected)
    return {"rec": rec, "expected": expected, "window": window, "lost": lost,
            "checked": checked, "load": os.getloadavg()}


def paced_floor(args: argparse.Namespace, result: dict, rng: random.Random) -> float:
    """The floor at the window's pacing: as many saves as the window made, through the bare
    view, on the same rows. Adds "floor save" to the window's recorder; returns its duration."""
    from exams.models import AttemptQuestion

    rec = result["rec"]
    per_attempt: dict[int, list[int]] = defaultdict(list)
    for attempt_id, pk in AttemptQuestion.objects.filter(
            attempt_id__in=list(result["expected"])).values_list("attempt_id", "pk"):
        per_attempt[attempt_id].append(pk)
    saves_per = max(1, round(len(rec.latency["save"]) / max(1, len(per_attempt))))
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.client_threads) as pool:
        futures = [
            pool.submit(floor_session, (ids * 3)[:saves_per], port=args.port,
                        think=args.think, rec=rec, rng=random.Random(rng.random()))
            for ids in per_attempt.values()
        ]
        for future in futures:
            future.result()
    return time.monotonic() - began


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far (all its threads), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_pids(server: subprocess.Popen | None, database: str) -> dict[str, list[int]]:
    """gunicorn's workers (the master's children) and the PostgreSQL backends serving the
    bench database other than this process's own connection."""
    from django.db import connection

    workers: list[int] = []
    if server is not None:
        try:
            text = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text()
            workers = [int(n) for n in text.split()]
        except OSError:
            pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s "
                       "AND pid <> pg_backend_pid()", [database])
        backends = [row[0] for row in cursor.fetchall()]
    return {"gunicorn": workers, "postgres": backends}


class CpuMeter:
    """CPU seconds spent by gunicorn's workers, the bench database's PostgreSQL backends and
    this (client) process between `start` and `stop`: a cost per request that the machine's
    load does not change the way it changes requests per second."""

    def __init__(self, server: subprocess.Popen | None, database: str) -> None:
        self.server, self.database = server, database
        self.before: dict[tuple[str, int], float] = {}
        self.client_before = 0.0

    def start(self) -> None:
        pids = _server_pids(self.server, self.database)
        self.before = {(group, pid): _cpu_seconds(pid)
                       for group, members in pids.items() for pid in members}
        self.client_before = time.process_time()

    def stop(self) -> dict[str, float]:
        spent = {"client": time.process_time() - self.client_before}
        pids = _server_pids(self.server, self.database)
        for group, members in pids.items():
            # A backend that appeared during the phase (a new connection) counts from 0.
            spent[group] = sum(_cpu_seconds(pid) - self.before.get((group, pid), 0.0)
                               for pid in members)
        return spent


def saturation(args: argparse.Namespace, exam_id: int, people: list[dict],
               server: subprocess.Popen | None = None) -> dict[str, Any]:
    """Requests per second with no think time: `--saturation-threads` clients, each on its own
    open attempt, save as fast as answers come back; then the same clients hit the floor view
    on the same rows. Alternated twice (save, floor, save, floor) so that a change in the
    machine's load during the phase falls on both. Returns {kind: requests per second} and,
    under "cpu_ms", {kind: {process group: CPU ms per request}} (see CpuMeter)."""
    from exams.models import AttemptQuestion

    sitters = people[:args.saturation_threads]
    attempts: list[tuple[dict, int, list[int], list[int]]] = []
    for person in sitters:
        status, data = Client(args.port).request(
            "POST", f"/api/v1/exams/{exam_id}/attempts", person)
        if status not in (200, 201):
            raise SystemExit(f"saturation: could not start an attempt (HTTP {status})")
        paper = json.loads(data)
        positions = [q["position"] for q in paper["questions"]]
        items = list(AttemptQuestion.objects.filter(attempt_id=paper["attempt_id"])
                     .order_by("position").values_list("pk", flat=True))
        attempts.append((person, paper["attempt_id"], positions, items))
    # One rising sequence per attempt, shared by both phases, so that every save and every floor
    # update is newer than the last and applies (the same work in both).
    seqs = {attempt_id: 1000 for _p, attempt_id, _pos, _items in attempts}
    served: dict[str, int] = defaultdict(int)
    spent: dict[str, float] = defaultdict(float)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    meter = CpuMeter(server, args.database_url.rsplit("/", 1)[1])
    cpu: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    def hammer(kind: str, person: dict, attempt_id: int, positions: list[int],
               items: list[int], until: float) -> None:
        client = Client(args.port)
        done = failed = 0
        n = 0
        while time.monotonic() < until:
            seqs[attempt_id] += 1
            seq = seqs[attempt_id]
            if kind == "save":
                position = positions[n % len(positions)]
                status, _ = client.request(
                    "PUT", f"/api/v1/exams/attempts/{attempt_id}/answers/{position}", person,
                    {"selected": ["A"], "flagged": False, "seq": seq})
            else:
                status, _ = client.request("PUT", f"/bench/floor/{items[n % len(items)]}", None,
                                           {"selected": ["A"], "seq": seq})
            n += 1
            done += 1
            failed += status != 200
        with lock:
            served[kind] += done
            errors[kind] += failed

    for _round in range(2):
        for kind in ("save", "floor"):
            began = time.monotonic()
            until = began + args.saturation_seconds
            threads = [threading.Thread(target=hammer, args=(kind, *attempt, until))
                       for attempt in attempts]
            meter.start()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            spent[kind] += time.monotonic() - began
            for group, seconds in meter.stop().items():
                cpu[kind][group] += seconds
    if any(errors.values()):
        raise SystemExit(f"saturation: errors {dict(errors)}")
    result: dict[str, Any] = {kind: served[kind] / spent[kind] for kind in ("save", "floor")}
    result["cpu_ms"] = {kind: {group: 1000 * seconds / served[kind]
                               for group, seconds in cpu[kind].items()}
                        for kind in ("save", "floor")}
    result["load"] = os.getloadavg()
    return result


def _ms(values: list[float], p: float) -> float:
    return percentile([v * 1000 for v in values], p)


def run_row(n: int | str, result: dict) -> str:
    rec = result["rec"]
    lat = rec.latency
    return (f"| {n} | {_ms(lat['start'], 95):.0f} | {_ms(lat['save'], 50):.1f} / "
            f"**{_ms(lat['save'], 95):.1f}** / {_ms(lat['save'], 99):.0f} | "
            f"{_ms(lat['submit'], 50):.0f} / **{_ms(lat['submit'], 95):.0f}** | "
            f"{sum(rec.errors.values())} | {result['lost']} of {result['checked']} | "
            f"{result['window']:.0f} | {result['load'][0]:.1f} |")


def worst_row(results: list[dict]) -> str:
    def worst(kind: str, p: float) -> float:
        return max(_ms(r["rec"].latency[kind], p) for r in results)

    return (f"| worst | {worst('start', 95):.0f} | {worst('save', 50):.1f} / "
            f"**{worst('save', 95):.1f}** / {worst('save', 99):.0f} | "
            f"{worst('submit', 50):.0f} / **{worst('submit', 95):.0f}** | "
            f"{max(sum(r['rec'].errors.values()) for r in results)} | "
            f"{max(r['lost'] for r in results)} | | |")


def by_minute(rec: Recorder) -> str:
    buckets: dict[int, list[float]] = defaultdict(list)
    for at, seconds in rec.timeline["save"]:
        buckets[int(at // 60)].append(seconds * 1000)
    return ", ".join(
        f"{m}: {percentile(v, 50):.0f}/{percentile(v, 95):.0f} ({len(v)})"
        for m, v in sorted(buckets.items()))


def saturation_report(args: argparse.Namespace, sat: dict[str, Any]) -> str:
    cpu = sat["cpu_ms"]
    server = {kind: cpu[kind]["gunicorn"] + cpu[kind]["postgres"] for kind in ("save", "floor")}

    def costs(kind: str) -> str:
        return ", ".join(f"{group} {cpu[kind][group]:.2f}"
                         for group in ("gunicorn", "postgres", "client"))

    return (
        f"Saturation ({args.saturation_threads} client threads, no think time, "
        f"{args.saturation_seconds:g} s × 2 each, alternated; load average "
        f"{sat['load'][0]:.1f} at the end): autosave {sat['save']:.0f} requests/s, floor view "
        f"{sat['floor']:.0f}/s: ratio **{sat['save'] / sat['floor']:.2f}**. CPU ms per "
        f"request: autosave {costs('save')}; floor {costs('floor')}; server side (gunicorn + "
        f"PostgreSQL) floor ÷ autosave "
        f"**{server['floor'] / server['save']:.2f}**."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3,
                        help="exam windows in a row; each is reported, then the worst")
    parser.add_argument("--ramp", type=float, default=60.0, help="seconds over which all start")
    parser.add_argument("--think", type=float, default=15.0,
                        help="mean seconds between a candidate's saves")
    parser.add_argument("--resaves", type=int, default=4,
                        help="changed answers per candidate after the first pass")
    parser.add_argument("--client-threads", type=int, default=None,
                        help="default: one per candidate, so all of them sit at the same time")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8,
                        help="gunicorn threads per worker (gthread)")
    # The README's production line; gthread 3 × 8 (`--worker-class gthread --workers 3`) served
    # 15-20 % fewer autosaves at saturation (docs/performance.md, 2026-12-02 14:14).
    parser.add_argument("--worker-class", choices=("gthread", "sync"), default="sync",
                        help="sync: one request at a time per worker (no --threads)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--saturation-threads", type=int, default=40,
                        help="clients of the saturation phase (no think time)")
    parser.add_argument("--saturation-seconds", type=float, default=20.0,
                        help="length of each of its four phases; 0 skips it")
    parser.add_argument("--no-paced-floor", action="store_true",
                        help="skip the floor at the window's pacing after the last run")
    parser.add_argument("--saturation-only", action="store_true",
                        help="no exam window: only the saturation phase (prints, never writes)")
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")
    args = parser.parse_args()
    if args.saturation_only:
        args.runs, args.no_paced_floor, args.no_write = 0, True, True
        args.saturation_seconds = args.saturation_seconds or 20.0
    args.client_threads = args.client_threads or args.candidates

    ensure_database(args.database_url)
    rng = random.Random(2823)
    results: list[dict] = []
    server: subprocess.Popen | None = None
    floor_window = sat = None
    try:
        for n in range(1, args.runs + 1):
            t_setup = time.monotonic()
            # A fresh window each run: the previous run's attempts are removed.
            exam_id, people = prepare(args.database_url, args.candidates)
            print(f"run {n}: setup of {len(people)} candidates in "
                  f"{time.monotonic() - t_setup:.0f} s", flush=True)
            server = server or start_gunicorn(args)
            results.append(run_window(args, exam_id, people, rng))
            print("| run | start p95 | save p50 / p95 / p99 | submit p50 / p95 | errors | lost "
                  "| window s | load |", flush=True)
            print(run_row(n, results[-1]), flush=True)
        if not args.no_paced_floor:
            floor_window = paced_floor(args, results[-1], rng)
        if args.saturation_seconds > 0:
            exam_id, people = prepare(args.database_url, args.saturation_threads)
            server = server or start_gunicorn(args)
            sat = saturation(args, exam_id, people, server)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    if args.saturation_only:
        print(saturation_report(args, sat))
        return 0
    last = results[-1]
    rec = last["rec"]

    def row(kind: str) -> str:
        values = rec.latency[kind]
        ms = [v * 1000 for v in values]
        return (f"| {kind} | {len(values)} | {percentile(ms, 50):.1f} | {percentile(ms, 95):.1f} | "
                f"{percentile(ms, 99):.1f} | {max(ms) if ms else float('nan'):.1f} | "
                f"{rec.errors[kind]} |")

    lines = [
        f"### {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {args.candidates} candidates, "
        f"{len(results)} window(s)",
        "",
        f"`bench/exam_window.py` run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {len(results)} "
        f"window(s) in a row: {args.candidates} candidates start within {args.ramp:.0f} s, each "
        f"saves every question of an 18-question paper plus {args.resaves} changed answers (mean "
        f"{args.think:g} s apart), then submits. gunicorn {server_shape(args)}, "
        "`config.settings.production` (DEBUG off, Redis sessions), PostgreSQL on 127.0.0.1; "
        "client: "
        f"{args.client_threads} threads of `http.client` on the same machine "
        f"({os.cpu_count()} cores, shared with other work: load average at the end of each "
        "run in the table).",
        "",
        "| run | start p95 | save p50 / p95 / p99 | submit p50 / p95 | errors | lost "
        "| window s | load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(run_row(n, r) for n, r in enumerate(results, start=1)),
        worst_row(results),
        "",
        "(ms; \"lost\": acknowledged answers not in the database after submission.) "
        "Save p50/p95 ms (count) by minute of each window, to tell the start ramp and the "
        "submit wave from the steady state:",
        "",
        *(f"- run {n}: {by_minute(r['rec'])}" for n, r in enumerate(results, start=1)),
        "",
    ]
    if floor_window is not None:
        lines += [
            f"Last run in full, with the floor at the window's pacing ({floor_window:.0f} s):",
            "",
            "| request | count | p50 ms | p95 ms | p99 ms | max ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            row("start"), row("save"), row("submit"), row("floor save"),
            "",
            "\"floor save\" is the same ordered upsert (`UPDATE … WHERE seq < new`) through a "
            "bare Django view with no session, API layer, attempt row lock or attempt log: the "
            "difference is what authentication, the lock and the log cost.",
            "",
        ]
    if sat is not None:
        lines += [saturation_report(args, sat), ""]
    lines += ["Re-run: `.venv/bin/python bench/exam_window.py --candidates N` (see `--help`).", ""]
    report = "\n".join(lines)
    samples = [s for r in results for s in r["rec"].error_samples][:10]
    if samples:
        report += "\nFirst errors: " + "; ".join(samples) + "\n"
    print(report)
    if not args.no_write:
        write_report(report, dated=True)
    failed = any(r["lost"] or any(r["rec"].errors.values()) for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
