"""Answers and score reviews with input no person sends: a clear 4xx, never a 500 (on
PostgreSQL a NUL in a string or a seq beyond bigint was a database error)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from exams.models import AppealState, AttemptQuestion
from exams.services import appeal_request, attempt_start, attempt_submit


def _save(client: Any, attempt: Any, body: dict[str, Any]) -> Any:
    return client.put(f"/api/v1/exams/attempts/{attempt.pk}/answers/1", body,
                      content_type="application/json")


def test_an_answer_with_a_nul_or_a_seq_beyond_bigint_is_refused(client, exam_factory,
                                                                candidate):
    attempt, _ = attempt_start(exam=exam_factory(per_module={1: 2}), user=candidate)
    client.force_login(candidate)

    nul = _save(client, attempt, {"selected": ["A\u0000"], "seq": 1})
    assert nul.status_code == 400
    assert nul.json()["code"] == "invalid_input" and "U+0000" in nul.json()["detail"]

    huge = _save(client, attempt, {"selected": ["A"], "seq": 2**63})
    assert huge.status_code == 422
    assert huge.json()["detail"][0]["loc"][-1] == "seq"

    assert _save(client, attempt, {"selected": ["A"], "seq": 2**63 - 1}).status_code == 200
    assert AttemptQuestion.objects.get(attempt=attempt, position=1).seq == 2**63 - 1


def test_a_score_review_resolved_with_a_garbled_id_says_so(client, exam_factory, candidate,
                                                            user_factory):
    attempt, _ = attempt_start(exam=exam_factory(per_module={1: 2}), user=candidate)
    attempt_submit(attempt_id=attempt.pk, user=candidate)
    appeal = appeal_request(attempt_id=attempt.pk, user=candidate, reason="请复核第1题")
    client.force_login(user_factory(roles=["exam_admin"]))

    for garbled in ("abc", "", str(2**63)):
        response = client.post(reverse("exams:appeals"), {
            "appeal": garbled, "state": "upheld", "resolution": "第1题作废"}, follow=True)
        assert response.status_code == 200
        assert "无法处理该复核申请。" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == AppealState.OPEN
