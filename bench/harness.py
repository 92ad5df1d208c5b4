"""What the fault runs in bench/ share: the exam page's retrying client, and the Celery worker
and the checks of what the workers did (one credential per pass, one PDF per credential, one
email per credential).

The client behaves like the exam page: the latest answer per question waits in a queue, ordered
by `seq`, until the server acknowledges it; a 503 is retried after its Retry-After, a network
error or another 5xx with backoff. `Phases` records what each request got, and when a fault
began and ended. Setup and gunicorn come from bench/exam_window.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPException
from pathlib import Path

from exam_window import ROOT, Client


class Phases:
    """When a fault began (`down_at`) and ended (`up_at`), and what each request got: over the
    whole run, and from the fault to the first save acknowledged after it ended."""

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
        except HTTPException as exc:  # a response cut short: as a dropped connection
            self.conn.close()
            raise ConnectionResetError(type(exc).__name__) from exc


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


# choose(attempt_id, question, rng) -> the options a candidate picks; None: picked at random
Chooser = Callable[[int, dict, random.Random], list[str] | None]


def candidate(person: dict, *, exam_id: int, port: int, start_at: float, think: float,
              resaves: int, phases: Phases, rng: random.Random, expected: dict,
              drain_limit: float, choose: Chooser | None = None) -> None:
    """One candidate through the exam page's client: start (retried), answer every question
    and change `resaves` answers, each kept queued until acknowledged, then submit once the
    queue is empty. `expected[attempt_id]` gets the last answer given per question."""
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
        selected = (choose(attempt_id, question, rng) if choose else None) or (
            sorted(rng.sample(options, 2)) if question["kind"] == "multiple"
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


def window(people: list[dict], *, exam_id: int, port: int, ramp: float, think: float,
           resaves: int, drain_limit: float, fault: Callable[[Phases, float], None],
           choose: Chooser | None = None, seed: int = 1617
           ) -> tuple[Phases, dict[int, dict[int, list[str]]], float]:
    """Run the candidates (each starting within `ramp`) while `fault(phases, began)` runs in a
    thread of its own; return the phases, each attempt's answers given, and when every queue
    was drained and every paper submitted."""
    phases = Phases()
    expected: dict[int, dict[int, list[str]]] = {}
    rng = random.Random(seed)
    began = time.monotonic()
    injector = threading.Thread(target=fault, args=(phases, began))
    injector.start()
    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        futures = [
            pool.submit(candidate, person, exam_id=exam_id, port=port,
                        start_at=began + ramp * i / len(people), think=think, resaves=resaves,
                        phases=phases, rng=random.Random(rng.random()), expected=expected,
                        drain_limit=drain_limit, choose=choose)
            for i, person in enumerate(people)
        ]
        for future in futures:
            future.result()
    drained_at = time.monotonic()
    injector.join()
    return phases, expected, drained_at


def chooser_knowing(skill: float) -> Chooser:
    """Candidates who know the right answer with probability `skill` (most of them pass, so
    the window issues credentials); the keys are read from the bank once, by question text."""
    from exams.models import Question

    correct = {q.current_version.text: list(q.current_version.correct_keys)
               for q in Question.objects.select_related("current_version")
               if q.current_version is not None}

    def choose(attempt_id: int, question: dict, rng: random.Random) -> list[str] | None:
        keys = correct.get(question["text"])
        return keys if keys and rng.random() < skill else None

    return choose


def statuses_5xx(phases: Phases) -> int:
    return sum(n for label, n in phases.whole.items()
               if label.split()[1].isdigit() and int(label.split()[1]) >= 500)


def network_errors(phases: Phases) -> int:
    return sum(n for label, n in phases.whole.items() if not label.split()[1].isdigit())


# --- The Celery worker and what the workers did ------------------------------------------------


def worker_environ(scratch: Path) -> dict[str, str]:
    """What gunicorn and the Celery worker of a fault run share besides exam_window's
    server_env: the broker on the run's Redis database, a queue of the run's own, mail to files
    and media in `scratch`. The visibility timeout is short (and the time limits below it, as
    the settings require) so a killed worker's tasks come back within the run."""
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    (scratch / "mail").mkdir(parents=True, exist_ok=True)
    return {
        "BENCH_REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-fault-{os.getpid()}",
        "CELERY_VISIBILITY_TIMEOUT": "30",
        "CELERY_TASK_TIME_LIMIT": "25",
        "CELERY_TASK_SOFT_TIME_LIMIT": "20",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(scratch / "mail"),
        "MEDIA_ROOT": str(scratch / "media"),
    }


def start_celery_worker(env: dict[str, str], log_path: Path, *, concurrency: int = 2,
                        timeout: float = 120) -> subprocess.Popen:
    """A prefork worker in a session of its own (so `os.killpg` takes it whole), once ready."""
    offset = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
             f"--concurrency={concurrency}", "--without-gossip", "--without-mingle",
             "--loglevel=INFO", "--hostname", f"bench-{time.monotonic_ns()}@%h",
             "--queues", env["CELERY_TASK_DEFAULT_QUEUE"]],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the Celery worker exited early; see {log_path}")
        with log_path.open("rb") as log:
            log.seek(offset)
            if b"ready." in log.read():
                return process
        time.sleep(0.5)
    raise SystemExit(f"the Celery worker was not ready within {timeout:.0f} s; see {log_path}")


def worker_fault_arguments(parser: argparse.ArgumentParser, *, candidates: int, think: float,
                           resaves: int) -> None:
    """The options both worker-kill runs share: the room, its pacing, the servers, the docs."""
    parser.add_argument("--candidates", type=int, default=candidates)
    parser.add_argument("--ramp", type=float, default=15.0)
    parser.add_argument("--think", type=float, default=think,
                        help="mean seconds between a candidate's answers")
    parser.add_argument("--resaves", type=int, default=resaves)
    parser.add_argument("--skill", type=float, default=0.8,
                        help="chance a candidate knows an answer (most pass)")
    parser.add_argument("--drain-limit", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=0, help="0: a free one")
    parser.add_argument("--no-write", action="store_true", help="do not update the docs")


def worker_fault_parse(parser: argparse.ArgumentParser, default_db: str) -> argparse.Namespace:
    args = parser.parse_args()
    args.database_url = os.environ.get("BENCH_DATABASE_URL", default_db)
    args.port = args.port or free_port()
    return args


def free_port() -> int:
    """A port nobody listens on: other engineers' runs share this machine."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> list[int]:
    """The processes `pid` started (gunicorn's workers, a Celery worker's pool)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(n) for n in text.split()]


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def redelivered(log_path: Path) -> int:
    """Tasks a worker received more than once: those a kill caught before they were done."""
    received = Counter(re.findall(r"Task [\w.]+\[([0-9a-f-]{36})\] received",
                                  log_path.read_text("utf-8", errors="replace")))
    return sum(1 for n in received.values() if n > 1)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a process and everything it started (a Celery worker and its pool), as when
    the node is lost."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def stop_group(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return  # killed by the run already
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def forget_earlier_credentials() -> None:
    """Benchmark database only: the candidates' credentials from earlier runs go, so each pass
    of this window issues a new one."""
    from certification.models import Credential

    Credential.objects.filter(holder__email__startswith="bench-").delete()


def credentials_outcome(exam_id: int, scratch: Path) -> dict[str, int]:
    """What the workers did for the window's passes, counted in the database and on disk:
    each pass must have exactly one credential (or renewal), each credential one PDF file and
    one email (each candidate sits once, so an email is told apart by its recipient)."""
    from certification.models import Credential, CredentialRenewal
    from exams.models import Attempt

    keys = {f"exams.attempt:{pk}" for pk in Attempt.objects.filter(
        exam_id=exam_id, passed=True, counts_for_credential=True).values_list("pk", flat=True)}
    credentials = list(Credential.objects.filter(source_key__in=keys)
                       .values_list("number", "pdf", "holder__email"))
    renewals = CredentialRenewal.objects.filter(source_key__in=keys).count()
    # A file is the credential's when its name starts with the number (earlier code added a
    # random suffix to each render, which a rerun would have left as a second file).
    files: Counter[str] = Counter()
    for path in (scratch / "media" / "certificates").glob("*/*.pdf"):
        number = re.match(r".+?-\d{4}-\d{6}", path.name)
        files[number.group(0) if number else path.name] += 1
    mails: Counter[str] = Counter()
    for path in (scratch / "mail").glob("*.log"):
        for line in path.read_text("utf-8", errors="replace").splitlines():
            if line.startswith("To: "):
                mails[line[4:].strip()] += 1
    return {
        "passes": len(keys),
        "credentials": len(credentials),
        "renewals": renewals,
        "missing": len(keys) - len(credentials) - renewals,
        "PDF stored": sum(1 for _n, pdf, _e in credentials if pdf),
        "PDF files": sum(files[n] for n, _p, _e in credentials),
        "with 2+ PDF files": sum(1 for n, _p, _e in credentials if files[n] > 1),
        "emails": sum(mails[e] for _n, _p, e in credentials),
        "with 2+ emails": sum(1 for _n, _p, e in credentials if mails[e] > 1),
    }


def credentials_done(outcome: dict[str, int]) -> bool:
    """Every pass has its credential, PDF and email."""
    n = outcome["credentials"]
    return (outcome["missing"] == 0 and outcome["PDF stored"] == n
            and outcome["PDF files"] >= n and outcome["emails"] >= n)


def credentials_ok(outcome: dict[str, int]) -> bool:
    """Nothing missing and nothing done twice."""
    n = outcome["credentials"]
    return (credentials_done(outcome) and outcome["PDF files"] == n and outcome["emails"] == n
            and outcome["renewals"] == 0)
