"""Item statistics on a hand-computed dataset; appeals; voiding a question regrades, audited."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from exams.errors import ExamError
from exams.item_analysis import exam_statistics, score_distribution_svg, score_histogram
from exams.models import AppealState, Attempt, AttemptEvent
from exams.services import (
    appeal_request,
    appeal_resolve,
    attempt_start,
    attempt_submit,
    question_void,
)
from exams.signals import attempt_passed

from .helpers import answer_all, answer_by_question

# Five candidates × four questions (1 = right). Worked by hand:
# p = .8 .6 .4 .6; totals 4 3 2 2 1, mean 2.4, population variance 1.04; Σpq = .88;
# KR-20 = 4/3 · (1 − .88/1.04) = 0.20513.
# Corrected point-biserial for q1: x = 1 1 1 1 0, rest = 3 2 1 1 1 → r = .6 / 1.6 = 0.375;
# for q4: x = 1 0 0 1 1, rest = 3 3 2 1 0 → r = −1.4 / √(1.2 · 6.8) = −0.49010.
PATTERN = [
    (1, 1, 1, 1),
    (1, 1, 1, 0),
    (1, 1, 0, 0),
    (1, 0, 0, 1),
    (0, 0, 0, 1),
]


@pytest.fixture
def known_exam(exam_factory, user_factory, complete_course):
    exam = exam_factory(per_module={1: 4})
    from exams.models import Question

    q = list(Question.objects.order_by("pk"))
    for row in PATTERN:
        person = user_factory()
        complete_course(person)
        attempt, _ = attempt_start(exam=exam, user=person)
        answer_by_question(attempt, {q[i].pk: bool(v) for i, v in enumerate(row)})
        attempt_submit(attempt_id=attempt.pk, user=person)
    return exam, q


def test_statistics_on_known_data(known_exam):
    exam, q = known_exam
    stats = exam_statistics(exam)
    assert stats.attempts == 5
    by_code = {item.code: item for item in stats.items}
    assert [by_code[x.code].difficulty for x in q] == pytest.approx([0.8, 0.6, 0.4, 0.6])
    assert by_code[q[0].code].discrimination == pytest.approx(0.375)
    assert by_code[q[3].code].discrimination == pytest.approx(-0.49010, abs=1e-5)
    assert stats.kr20 == pytest.approx(0.205128, abs=1e-6)
    assert "negative discrimination" in by_code[q[3].code].flags
    assert by_code[q[0].code].flags == []
    assert sorted(stats.scores) == [25.0, 50.0, 50.0, 75.0, 100.0]
    assert score_histogram(stats.scores) == [0, 0, 1, 0, 0, 2, 0, 1, 0, 1]


def test_too_easy_and_too_hard_flags(exam_factory, user_factory, complete_course):
    exam = exam_factory(per_module={1: 2})
    from exams.models import Question

    easy, hard = Question.objects.order_by("pk")
    for _i in range(3):
        person = user_factory()
        complete_course(person)
        attempt, _ = attempt_start(exam=exam, user=person)
        answer_by_question(attempt, {easy.pk: True, hard.pk: False})
        attempt_submit(attempt_id=attempt.pk, user=person)
    flags = {i.code: i.flags for i in exam_statistics(exam).items}
    assert flags[easy.code] == ["too easy"]
    assert flags[hard.code] == ["too hard"]


def test_statistics_page_with_svg_chart(client, user_factory, known_exam):
    exam, _q = known_exam
    client.force_login(user_factory(roles=["candidate"]))
    assert client.get(reverse("exams:statistics", args=[exam.pk])).status_code == 403
    client.force_login(user_factory(roles=["exam_admin"]))
    body = client.get(reverse("exams:statistics", args=[exam.pk])).content.decode()
    assert "<svg" in body and 'data-testid="kr20">0.205' in body
    assert score_distribution_svg([], 60).startswith("<svg")


def test_appeal_requested_then_resolved(exam_factory, candidate, user_factory):
    admin = user_factory(roles=["exam_admin"])
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    with pytest.raises(ExamError):
        appeal_request(attempt_id=attempt.pk, user=candidate, reason="太早")
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    appeal = appeal_request(attempt_id=attempt.pk, user=candidate, reason="第2题的答案有歧义")
    with pytest.raises(ExamError):
        appeal_request(attempt_id=attempt.pk, user=candidate, reason="再次申请")
    with pytest.raises(Attempt.DoesNotExist):
        appeal_request(attempt_id=attempt.pk, user=admin, reason="替别人申请")
    appeal_resolve(appeal_id=appeal.pk, state=AppealState.REJECTED,
                   resolution="经复核，题目表述无歧义。", resolved_by=admin)
    appeal.refresh_from_db()
    assert appeal.state == "rejected" and appeal.resolved_by == admin
    assert AuditEntry.objects.filter(action="exams.appeal.rejected", actor=admin).exists()
    kinds = list(AttemptEvent.objects.filter(attempt=attempt).values_list("kind", flat=True))
    assert kinds[-2:] == ["appeal", "appeal_resolved"]


def test_appeal_pages(client, exam_factory, candidate, user_factory):
    exam = exam_factory(per_module={1: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    client.force_login(candidate)
    client.post(reverse("exams:appeal", args=[attempt.pk]), {"reason": "请复核第1题"})
    appeal = attempt.appeals.get()
    client.force_login(user_factory(roles=["exam_admin"]))
    assert "请复核第1题" in client.get(reverse("exams:appeals")).content.decode()
    client.post(reverse("exams:appeals"), {"appeal": appeal.pk, "state": "upheld",
                                           "resolution": "第1题作废并重新评分"})
    appeal.refresh_from_db()
    assert appeal.state == "upheld"


def test_voiding_a_question_regrades_attempts_and_may_turn_a_fail_into_a_pass(
    exam_factory, candidate, user_factory, django_capture_on_commit_callbacks
):
    admin = user_factory(roles=["exam_admin"])
    exam = exam_factory(per_module={1: 5})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    from exams.models import Question

    questions = list(Question.objects.order_by("pk"))
    # right on 2 of 5 (40%: fail); one wrong answer is on a flawed question
    answer_by_question(attempt, {q.pk: i < 2 for i, q in enumerate(questions)})
    attempt = attempt_submit(attempt_id=attempt.pk, user=candidate)
    assert attempt.passed is False
    received = []
    attempt_passed.connect(lambda sender, **kw: received.append(kw), weak=False,
                           dispatch_uid="regrade-test")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert question_void(question=questions[2], actor=admin, reason="题目有误") == 1
        attempt.refresh_from_db()
        assert (attempt.score_percent, attempt.passed) == (50, False)  # 2 of 4
        with django_capture_on_commit_callbacks(execute=True):
            question_void(question=questions[3], actor=admin, reason="选项重复")
    finally:
        attempt_passed.disconnect(dispatch_uid="regrade-test")
    attempt.refresh_from_db()
    assert str(attempt.score_percent) == "66.67"
    assert attempt.passed is True
    assert [r["attempt_id"] for r in received] == [attempt.pk]
    entries = AuditEntry.objects.filter(action="exams.attempt.regraded").order_by("id")
    assert [e.data["score_after"] for e in entries] == ["50.00", "66.67"]
    assert entries[1].data["passed_before"] is False and entries[1].data["passed_after"] is True
    assert AttemptEvent.objects.filter(attempt=attempt, kind="regrade").count() == 2
    # voided questions are no longer drawn for new papers
    questions[2].refresh_from_db()
    assert questions[2].is_active is False


def test_full_marks_with_answer_all_helper(exam_factory, candidate):
    exam = exam_factory(per_module={2: 2})
    attempt, _ = attempt_start(exam=exam, user=candidate)
    answer_all(attempt, right=2)
    assert attempt_submit(attempt_id=attempt.pk, user=candidate).score_percent == 100


def test_the_score_reviews_page_costs_the_same_queries_for_1_or_4_requests(
        client, exam_factory, user_factory, complete_course):
    exam = exam_factory(per_module={1: 2})
    admin = user_factory(roles=["exam_admin"])
    client.force_login(admin)
    url = reverse("exams:appeals")
    counts = []
    for total in (1, 4):
        while exam.attempts.count() < total:
            person = user_factory()
            complete_course(person)
            attempt, _ = attempt_start(exam=exam, user=person)
            attempt_submit(attempt_id=attempt.pk, user=person)
            appeal = appeal_request(attempt_id=attempt.pk, user=person, reason="请复核")
            appeal_resolve(appeal_id=appeal.pk, state=AppealState.REJECTED,
                           resolution="无误", resolved_by=admin)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        assert body.count("无误") == total
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
