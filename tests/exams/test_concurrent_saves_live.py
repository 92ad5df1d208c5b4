"""Saves that arrive together over HTTP (the exam page sends its whole queue at once when the
connection returns) are all answered 200 and kept: the stored answer is the last acknowledged.

Served by the suite's live server, which on SQLite shares the test's one in-memory connection
with its request threads (tests/live_server.py serialises their requests for that reason)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.exams.signed_in_attempt import signed_in_attempt

pytestmark = pytest.mark.django_db(transaction=True)

QUESTIONS = 4
ROUNDS = 15


def test_saves_sent_together_are_each_stored_as_acknowledged(live_server: Any) -> None:
    from exams.models import AttemptQuestion

    headers, attempt = signed_in_attempt(questions=QUESTIONS)
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
