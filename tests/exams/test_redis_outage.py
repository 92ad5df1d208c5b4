"""An exam sat while Redis (cache, sessions, Celery broker) is stopped: the candidate notices
nothing, and the credential the pass earns is issued once Redis returns."""

from __future__ import annotations

import json

import pytest
from celery import current_app

from core.models import OutboxTask
from core.tasks import outbox_drain
from exams.models import Attempt, AttemptQuestion
from tests.redis_server import queued_tasks

pytestmark = pytest.mark.django_db

API = "/api/v1/exams"


def test_start_save_and_submit_answer_2xx_while_redis_is_down_and_the_pass_is_kept(
        client, candidate, exam_factory, redis_everywhere, django_capture_on_commit_callbacks):
    exam = exam_factory(per_module={1: 2, 2: 2})
    client.force_login(candidate)
    assert client.get("/me/").status_code == 200  # signed in, the session copied in Redis
    redis_everywhere.stop()

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{API}/{exam.pk}/attempts")
    assert started.status_code == 201, started.content
    attempt = Attempt.objects.get(user=candidate)
    items = attempt.items.select_related("version").order_by("position")
    for seq, item in enumerate(items, start=1):
        saved = client.put(f"{API}/attempts/{attempt.pk}/answers/{item.position}",
                           data=json.dumps({"selected": item.version.correct_keys,
                                            "flagged": False, "seq": seq}),
                           content_type="application/json")
        assert saved.status_code == 200, saved.content
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(f"{API}/attempts/{attempt.pk}/submit")
    assert submitted.status_code == 200, submitted.content

    attempt.refresh_from_db()
    assert attempt.passed
    assert all(q.selected == q.version.correct_keys
               for q in AttemptQuestion.objects.filter(attempt=attempt).select_related("version"))
    # The pass's credential could not be queued: it waits in the outbox, not lost.
    kept = OutboxTask.objects.get()
    assert kept.task_name == "certification.tasks.credential_issue_for_pass_task"
    assert kept.kwargs["source_key"] == f"exams.attempt:{attempt.pk}"

    redis_everywhere.start()
    assert outbox_drain.apply().get() == {"sent": 1, "kept": 0}
    queued = queued_tasks(redis_everywhere.url(1), current_app.conf.task_default_queue)
    assert [(t["task"], t["id"]) for t in queued] == [(kept.task_name, kept.task_id)]
