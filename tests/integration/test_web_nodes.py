"""Two web nodes (gunicorn processes under production settings) and a Celery worker that share
only PostgreSQL, Redis and the object store: any node serves any request.

The nodes and the worker use pytest's test database (as tests/celery_worker.py does), Redis for
sessions and the cache, and a private bucket on the moto S3 server the test run started."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings
from django.utils import timezone

from certification import services
from certification.models import ContinuingEducation
from config.celery import app as celery_app
from tests.celery_worker import ROOT, _database_url, wait_for
from tests.storage import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker,
              pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n% attendance at the Shanghai workshop\n"
PASSWORD = "nodes-Pass-2026"


@dataclass(frozen=True)
class Node:
    url: str
    log: Path

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")


@dataclass
class Browser:
    """One person's browser behind the TLS-terminating load balancer, which may send each request
    to any node. Cookies are kept by hand: production marks them Secure, and the proxy speaks
    plain HTTP to the nodes (saying so with X-Forwarded-Proto)."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, node: Node, path: str, **kwargs: Any) -> requests.Response:
        headers = {"X-Forwarded-Proto": "https", "Origin": f"https://{node.host}",
                   "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        response = requests.request(method, node.url + path, headers=headers, timeout=60,
                                    allow_redirects=False, **kwargs)
        self.cookies.update({cookie.name: cookie.value or "" for cookie in response.cookies})
        return response

    def csrf_token(self, node: Node, path: str) -> str:
        page = self.request("GET", node, path)
        assert page.status_code == 200, page.text[:500]
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, page.text[:500]
        return match.group(1)


def _node_start(env: dict[str, str], folder: Path) -> tuple[Node, subprocess.Popen]:
    """A gunicorn process with a media folder of its own: what it could keep on local disk,
    no other node would see."""
    folder.mkdir()
    port = free_port()
    log_path = folder / "gunicorn.log"
    # No control socket: each node would claim the same ~/.gunicorn/gunicorn.ctl.
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--timeout", "60", "--no-control-socket"],
            cwd=ROOT, env={**env, "MEDIA_ROOT": str(folder / "media")}, stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Node(url=f"http://127.0.0.1:{port}", log=log_path), process


def _node_wait_healthy(node: Node, process: subprocess.Popen) -> None:
    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited early:\n{node.log.read_text()}")
        try:
            response = requests.get(f"{node.url}/api/v1/health", timeout=30,
                                    headers={"X-Forwarded-Proto": "https"})
        except requests.RequestException:  # not listening yet, or still loading the URLconf
            return False
        return response.status_code == 200

    if not wait_for(healthy, timeout=90):
        pytest.fail(f"gunicorn not healthy after 90s:\n{node.log.read_text()}")


@pytest.fixture
def web_nodes(s3_media: str, request: pytest.FixtureRequest,
              tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """Node A and node B; they and the worker inherit s3_media's bucket in the environment."""
    request.getfixturevalue("celery_worker_process")
    broker = django_settings.CELERY_BROKER_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.integration.web_node_settings",
        "DJANGO_SECRET_KEY": secrets.token_hex(32),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://academy.example.cn",  # production refuses one that is not https
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,  # sessions and cache, next to the broker's keys (prefixed)
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_DEFAULT_QUEUE": celery_app.conf.task_default_queue,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    started = [_node_start(env, tmp_path / f"node-{n}") for n in ("a", "b")]
    try:
        for node, process in started:
            _node_wait_healthy(node, process)
        yield started[0][0], started[1][0]
    finally:
        for _node, process in started:
            process.terminate()
            process.wait(timeout=30)


def test_a_session_and_files_made_on_one_node_work_on_the_other(
        web_nodes, user_factory, object_store, s3_media, settings):
    node_a, node_b = web_nodes
    # Hashed as production hashes (the suite's fast MD5 hasher is not in production's list).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    holder = user_factory(name_zh="周婷", name_en="ZHOU Ting", password=PASSWORD)
    credential = services.credential_issue_for_pass(
        user_id=holder.pk, source_key="exams.attempt:nodes", exam_score="82.00",
        passed_at=timezone.now())  # its PDF is queued to the worker on commit
    browser = Browser()

    # Signed in on node A ...
    token = browser.csrf_token(node_a, "/accounts/login/")
    signed_in = browser.request("POST", node_a, "/accounts/login/", data={
        "login": holder.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert signed_in.status_code == 302, re.sub(r"\s+", " ", signed_in.text)[-6000:]
    # ... is signed in on node B.
    me = browser.request("GET", node_b, "/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == holder.email

    # Evidence uploaded through node A is served by node B, from the bucket.
    token = browser.csrf_token(node_a, "/credentials/")
    uploaded = browser.request("POST", node_a, f"/credentials/{credential.pk}/education/", data={
        "title": "客户体验研修", "provider": "CCSO", "hours": "6",
        "completed_on": timezone.localdate().isoformat(), "csrfmiddlewaretoken": token,
    }, files={"evidence": ("attendance.pdf", PDF, "application/pdf")})
    assert uploaded.status_code == 302, uploaded.text[:2000]
    record = ContinuingEducation.objects.get(credential=credential)
    evidence = browser.request("GET", node_b, f"/credentials/education/{record.pk}/evidence")
    assert evidence.status_code == 200, node_b.log.read_text()[-3000:]
    assert evidence.content == PDF
    assert record.evidence.name in object_store.keys(s3_media)
    assert Browser().request("GET", node_b, f"/credentials/education/{record.pk}/evidence"
                             ).status_code == 302  # to the sign-in page: nobody else gets it

    # The certificate the worker rendered is served by either node, the same file.
    pdf_path = f"/credentials/{credential.pk}/certificate.pdf"
    from_b = wait_for(lambda: (r := browser.request("GET", node_b, pdf_path)).status_code == 200
                      and r, timeout=60)
    assert from_b and from_b.content.startswith(b"%PDF"), node_b.log.read_text()[-3000:]
    from_a = browser.request("GET", node_a, pdf_path)
    assert from_a.status_code == 200 and from_a.content == from_b.content
    credential.refresh_from_db()
    assert credential.pdf.name in object_store.keys(s3_media)
