"""Saves that arrive together over HTTP (the exam page sends its whole queue at once when the
connection returns) are all answered 200 and kept: the stored answer is the last acknowledged.

Served by the suite's live server, which on SQLite shares the test's one in-memory connection
with its request threads (tests/live_server.py serialises their requests for that reason)."""

from __future__ import annotations

import json
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = 4
ROUNDS = 15


def _signed_in_attempt() -> tuple[dict[str, str], Any]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User
    from exams.models import BlueprintRule, Exam, Sitting
    from exams.services import attempt_start, question_save
    from lms.models import Cohort, Course, Enrolment

    course = Course.objects.create(code="ccso-coordinator", title="CCSO 注册协调员培训",
                                   price=Decimal("3800.00"))
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course, code="c1", title="第1期", day_1=today - timedelta(days=5),
        day_2=today - timedelta(days=4), day_3=today - timedelta(days=3), capacity=20,
        price=course.price, enrolment_deadline=timezone.now() - timedelta(days=6))
    person = User.objects.create_user(email="bingfa@example.com", password="!", name_zh="考生乙")
    Enrolment.objects.create(cohort=cohort, user=person, state=Enrolment.State.COMPLETED,
                             price=course.price, reference="REF-CONCURRENT",
                             completed_at=timezone.now())
    for n in range(QUESTIONS):
        question_save(code=f"C-{n}", module_number=1, kind="single", text=f"第{n + 1}题",
                      options=[{"key": k, "text": f"选项{k}"} for k in "ABC"],
                      correct_keys=["A"], explanation="示例解析")
    exam = Exam.objects.create(course=course, title="并发考试", duration_minutes=20,
                               is_published=True, retake_wait_hours=0)
    BlueprintRule.objects.create(exam=exam, module_number=1, count=QUESTIONS)
    Sitting.objects.create(exam=exam, starts_at=timezone.now() - timedelta(hours=1),
                           ends_at=timezone.now() + timedelta(days=1))
    attempt, _created = attempt_start(exam=exam, user=person)
    store = SessionStore()
    store[SESSION_KEY] = str(person.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    store.create()
    csrf = secrets.token_hex(16)
    return {"Cookie": f"sessionid={store.session_key}; csrftoken={csrf}", "X-CSRFToken": csrf,
            "Content-Type": "application/json"}, attempt


def test_saves_sent_together_are_each_stored_as_acknowledged(live_server: Any) -> None:
    from exams.models import AttemptQuestion

    headers, attempt = _signed_in_attempt()
    address = urlsplit(live_server.url).netloc

    def save(position: int, seq: int, key: str) -> int:
        conn = HTTPConnection(address, timeout=30)
        conn.request("PUT", f"/api/v1/exams/attempts/{attempt.pk}/answers/{position}",
                     body=json.dumps({"selected": [key], "flagged": False, "seq": seq}),
                     headers=headers)
        status = conn.getresponse().status
        conn.close()
        return status

    acknowledged: dict[int, str] = {}
    seq = 0
    with ThreadPoolExecutor(max_workers=QUESTIONS) as pool:
        for round_ in range(ROUNDS):
            key = "ABC"[round_ % 3]
            sent = []
            for position in range(1, QUESTIONS + 1):
                seq += 1
                sent.append((position, pool.submit(save, position, seq, key)))
            for position, future in sent:
                assert future.result() == 200, (round_, position)
                acknowledged[position] = key

    stored = {q.position: q.selected for q in AttemptQuestion.objects.filter(attempt=attempt)}
    assert stored == {position: [key] for position, key in acknowledged.items()}
