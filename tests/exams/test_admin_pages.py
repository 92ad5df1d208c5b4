"""Exam admins' pages: overview, extra time, voiding a question; candidates are kept out."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from exams.models import Accommodation, AttemptEvent, Question
from exams.services import attempt_start, attempt_submit


def test_candidates_cannot_open_exam_admin_pages(client, candidate, exam_factory):
    exam = exam_factory()
    client.force_login(candidate)
    for url in (reverse("exams:manage"), reverse("exams:appeals"), reverse("exams:void"),
                reverse("exams:export"), reverse("exams:accommodation", args=[exam.pk])):
        assert client.get(url).status_code == 403, url


def test_manage_page_lists_exams_and_tools(client, user_factory, exam_factory):
    exam = exam_factory()
    client.force_login(user_factory(roles=["exam_admin"]))
    body = client.get(reverse("exams:manage")).content.decode()
    assert exam.title in body
    assert reverse("exams:statistics", args=[exam.pk]) in body
    assert reverse("exams:import") in body


def test_extra_time_granted_during_an_attempt_from_the_page(client, user_factory, candidate,
                                                            exam_factory):
    exam = exam_factory(duration_minutes=30, cap_deadline_at_window_end=False)
    attempt, _ = attempt_start(exam=exam, user=candidate)
    admin = user_factory(roles=["exam_admin"])
    client.force_login(admin)
    url = reverse("exams:accommodation", args=[exam.pk])
    response = client.post(url, {"email": candidate.email.upper(), "extra_minutes": 20,
                                 "reason": "读屏软件需要更多时间"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=50)
    granted = Accommodation.objects.get()
    assert (granted.granted_by, granted.reason) == (admin, "读屏软件需要更多时间")
    assert "读屏软件需要更多时间" in client.get(url).content.decode()
    response = client.post(url, {"email": "nobody@example.com", "extra_minutes": 5,
                                 "reason": "x"})
    assert response.status_code == 200 and Accommodation.objects.count() == 1


def test_void_page_regrades(client, user_factory, candidate, exam_factory):
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    question = Question.objects.first()
    client.force_login(user_factory(roles=["exam_admin"]))
    response = client.post(reverse("exams:void"), {"code": question.code, "reason": "答案有误"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.voided_at is not None
    attempt.refresh_from_db()
    assert attempt.points_possible == 1
    assert AttemptEvent.objects.filter(attempt=attempt, kind="regrade").count() == 0  # 0% → 0%


def test_dashboard_shows_the_exam_panel(client, candidate, exam_factory):
    exam = exam_factory()
    client.force_login(candidate)
    body = client.get("/me/").content.decode()
    assert exam.title in body
