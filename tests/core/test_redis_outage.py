"""Redis (cache, sessions, rate limits, Celery broker) stopped under a running site: a private
redis-server (tests/redis_server.py) that each test stops and starts, never the shared one.

Stopped, the port refuses at once; paused (`CLIENT PAUSE`), Redis holds every command until
the read times out and keeps its data, which shows what happens to values changed meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
import redis
from django.core.cache import cache, caches

from config.settings import base
from core.models import OutboxTask
from core.services import task_queue_on_commit
from core.tasks import email_deliver, outbox_drain
from tests.redis_server import RedisServer, queued_tasks

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"
# A dead Redis costs an operation at most its socket timeouts (0.25 s connect, 0.5 s read),
# once per process and second: the bound leaves room for a busy machine.
FAST_SECONDS = 1.5


def _pause(server: RedisServer, seconds: float) -> None:
    """Redis stops answering for `seconds` but keeps its data (a stalled server)."""
    redis.Redis(port=server.port).execute_command("CLIENT", "PAUSE", int(seconds * 1000), "ALL")


def test_a_stopped_redis_answers_from_memory_fast_and_warns_once(
        redis_everywhere, caplog: pytest.LogCaptureFixture):
    cache.set("fragment", "rendered before")
    redis_everywhere.stop()
    caplog.set_level(logging.WARNING, logger="core.cache")

    started = time.monotonic()
    assert cache.get("fragment") is None  # a miss: rendered again, from the database
    cache.set("fragment", "rendered during")
    assert cache.get("fragment") == "rendered during"  # this process's memory
    assert cache.add("lock", True) and not cache.add("lock", True)
    cache.set("counter", 1)
    assert cache.incr("counter") == 2
    for _ in range(50):
        cache.get("fragment")
    assert time.monotonic() - started < FAST_SECONDS
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        f"cache: Redis at {redis_everywhere.url(0)} cannot be reached"]
    assert cache.degraded

    redis_everywhere.start()
    time.sleep(1.1)  # RETRY_SECONDS: then Redis is asked again
    assert cache.get("fragment") is None  # Redis's (empty: it restarted), not the memory's
    assert not cache.degraded
    assert "answers again" in caplog.records[-1].getMessage()


def test_the_threads_of_a_process_count_together_while_redis_is_down(redis_everywhere):
    redis_everywhere.stop()
    cache.set("failures", 0)
    # Django gives each thread its own cache object; gunicorn's threads must still share the
    # count, or a limit would be looser by the number of threads too.
    other = threading.Thread(target=lambda: cache.incr("failures"))
    other.start()
    other.join()
    assert cache.incr("failures") == 2


def test_sessions_read_the_database_and_a_sign_out_during_the_outage_holds(
        client, user_factory, redis_everywhere):
    user = user_factory(password=PASSWORD)
    client.force_login(user)
    assert client.get("/me/").status_code == 200  # the session is now copied in Redis
    signed_in = client.cookies["sessionid"].value
    sessions = caches["sessions"]

    _pause(redis_everywhere, 2.0)
    started = time.monotonic()
    assert client.get("/me/").status_code == 200  # read from the database
    assert client.post("/accounts/logout/").status_code == 302
    assert time.monotonic() - started < 2 * FAST_SECONDS
    assert sessions.degraded

    time.sleep(max(0.0, started + 2.1 - time.monotonic()) + 1.1)  # the pause, RETRY_SECONDS
    # Someone who kept the old cookie: Redis kept the signed-in copy through the pause, and it
    # is deleted before anything is read from Redis again.
    client.cookies["sessionid"] = signed_in
    response = client.get("/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not sessions.degraded


def test_login_limits_still_throttle_per_process_while_redis_is_down(
        client, user_factory, redis_everywhere, settings):
    """Direction: each web process counts on its own while Redis is down, so the limit holds
    per process (looser by the number of processes), and no attempt answers a 5xx."""
    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS  # 5 failures per 5 min per email
    user = user_factory(password=PASSWORD)
    redis_everywhere.stop()

    pages = [client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
             for _ in range(6)]
    assert {page.status_code for page in pages} == {200}
    assert "登录失败次数过多" not in pages[0].content.decode()
    assert "登录失败次数过多" in pages[-1].content.decode()
    right = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "登录失败次数过多" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_task_queued_while_the_broker_is_down_is_kept_and_sent_when_it_returns(
        redis_everywhere, django_capture_on_commit_callbacks):
    redis_everywhere.stop()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        task_queue_on_commit(email_deliver, subject="s", body="b", to=["a@example.com"])
        assert not OutboxTask.objects.exists()  # nothing before the commit
    assert time.monotonic() - started < 2 * FAST_SECONDS  # the request is not held
    kept = OutboxTask.objects.get()
    assert (kept.task_name, kept.kwargs) == ("core.tasks.email_deliver", {
        "subject": "s", "body": "b", "to": ["a@example.com"]})

    # The beat's drain while the broker is still down keeps the row and says why.
    assert outbox_drain.apply().get() == {"sent": 0, "kept": 1}
    kept.refresh_from_db()
    assert kept.attempts == 1 and kept.last_error

    redis_everywhere.start()
    assert outbox_drain.apply().get() == {"sent": 1, "kept": 0}
    from celery import current_app

    queued = queued_tasks(redis_everywhere.url(1), current_app.conf.task_default_queue)
    assert [(t["task"], t["id"], t["kwargs"]["to"]) for t in queued] == [
        ("core.tasks.email_deliver", kept.task_id, ["a@example.com"])]
    assert not OutboxTask.objects.exists()
