"""A candidate with an attempt in progress and a signed-in browser's headers, for tests that
talk HTTP to a real server (the live server, a WSGI server on a private cluster)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone


def signed_in_attempt(*, questions: int = 1, email: str = "kaosheng@example.com"
                      ) -> tuple[dict[str, str], Any]:
    """(headers, attempt): a completed course, a sitting open now, `questions` single-choice
    questions of module 1 (A is right), the attempt started, and the headers of a browser
    signed in as the candidate (session and CSRF cookies, the CSRF header, JSON, Chinese)."""
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
    person = User.objects.create_user(email=email, password="!", name_zh="考生甲")
    Enrolment.objects.create(cohort=cohort, user=person, state=Enrolment.State.COMPLETED,
                             price=course.price, reference="REF-HTTP",
                             completed_at=timezone.now())
    for n in range(questions):
        question_save(code=f"H-{n + 1}", module_number=1, kind="single",
                      text=f"第{n + 1}题：下列哪项正确？",
                      options=[{"key": k, "text": f"选项{k}"} for k in "ABC"],
                      correct_keys=["A"], explanation="示例解析")
    exam = Exam.objects.create(course=course, title="HTTP 考试", duration_minutes=20,
                               is_published=True, retake_wait_hours=0)
    BlueprintRule.objects.create(exam=exam, module_number=1, count=questions)
    Sitting.objects.create(exam=exam, starts_at=timezone.now() - timedelta(hours=1),
                           ends_at=timezone.now() + timedelta(days=1))
    attempt, _created = attempt_start(exam=exam, user=person)
    store = SessionStore()
    store[SESSION_KEY] = str(person.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    store.create()
    csrf = secrets.token_hex(16)
    headers = {"Cookie": f"sessionid={store.session_key}; csrftoken={csrf}",
               "X-CSRFToken": csrf, "Content-Type": "application/json",
               "Accept-Language": "zh-hans"}
    return headers, attempt
