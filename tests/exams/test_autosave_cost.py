"""The autosave on PostgreSQL, as an exam window sends it thousands of times a minute: what it
costs in round trips, and that the prepared statements it now runs (core.db) still make every
check: the attempt is the caller's, open and within its deadline, the save is newer than the
stored one, and each save is in the attempt's log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from exams.models import AttemptEvent, AttemptEventKind, AttemptQuestion, AttemptState
from exams.services import attempt_start, attempt_submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def sitting(exam_factory, candidate, client, time_machine):
    """The candidate signed in in the browser, with an attempt of two questions open."""
    time_machine.move_to(START, tick=False)
    exam = exam_factory(per_module={1: 2})
    attempt, _created = attempt_start(exam=exam, user=candidate)
    client.force_login(candidate)
    return attempt


def _save(client, attempt_id: int, *, seq: int, position: int = 1, key: str | None = None):
    if key is None:
        key = AttemptQuestion.objects.get(attempt_id=attempt_id, position=position).option_order[0]
    return client.put(f"/api/v1/exams/attempts/{attempt_id}/answers/{position}",
                      {"selected": [key], "flagged": False, "seq": seq},
                      content_type="application/json")


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_an_autosave_is_three_queries_two_of_them_prepared(client, sitting,
                                                           django_assert_max_num_queries):
    key = AttemptQuestion.objects.get(attempt=sitting, position=1).option_order[0]
    _save(client, sitting.pk, seq=1, key=key)  # the first save on the connection prepares both
    # The session (the database's, in tests; Redis in production), the signed-in user with the
    # staff answer, and the save with its log entry: one statement each.
    with django_assert_max_num_queries(3) as queries:
        response = _save(client, sitting.pk, seq=2, key=key)
    assert "$1" in queries.captured_queries[-1]["sql"]  # logged as prepared: the save
    assert response.status_code == 200 and response.json()["applied"] is True
    prepared = _prepared()
    assert any(s.lstrip().startswith('SELECT "accounts_user"."id"') for s in prepared), prepared
    assert any("INSERT INTO exams_attemptevent" in s for s in prepared), prepared
    kinds = list(AttemptEvent.objects.filter(attempt=sitting, kind=AttemptEventKind.SAVE)
                 .values_list("data__seq", flat=True))
    assert kinds == [1, 2]


def test_an_older_save_arriving_late_changes_nothing(client, sitting):
    item = AttemptQuestion.objects.get(attempt=sitting, position=1)
    first, second = item.option_order[:2]
    assert _save(client, sitting.pk, seq=5, key=first).json()["applied"] is True
    response = _save(client, sitting.pk, seq=4, key=second)
    assert response.status_code == 200 and response.json()["applied"] is False
    item.refresh_from_db()
    assert item.selected == [first] and item.seq == 5


def test_another_persons_attempt_is_not_found_and_not_touched(client, sitting, user_factory,
                                                             complete_course):
    _save(client, sitting.pk, seq=1)  # prepared with the owner's session first
    intruder = user_factory(roles=["candidate"])
    complete_course(intruder)
    client.force_login(intruder)
    response = _save(client, sitting.pk, seq=9)
    assert response.status_code == 404
    item = AttemptQuestion.objects.get(attempt=sitting, position=1)
    assert item.seq == 1
    assert not AttemptEvent.objects.filter(attempt=sitting, actor=intruder).exists()


def test_a_save_after_the_deadline_is_refused_and_closes_the_attempt(client, sitting,
                                                                     time_machine):
    _save(client, sitting.pk, seq=1)
    time_machine.move_to(sitting.deadline + dt.timedelta(minutes=5), tick=False)
    response = _save(client, sitting.pk, seq=2, position=2)
    assert response.status_code == 409
    sitting.refresh_from_db()
    assert sitting.state != AttemptState.OPEN
    assert AttemptQuestion.objects.get(attempt=sitting, position=2).seq == 0


def test_a_save_after_submitting_is_refused(client, sitting, candidate):
    _save(client, sitting.pk, seq=1)
    attempt_submit(attempt_id=sitting.pk, user=candidate)
    response = _save(client, sitting.pk, seq=2, position=2)
    assert response.status_code == 409
    assert AttemptQuestion.objects.get(attempt=sitting, position=2).seq == 0


def test_an_option_not_on_the_paper_is_refused(client, sitting):
    response = _save(client, sitting.pk, seq=1, key="Z")
    assert response.status_code == 400
    assert AttemptQuestion.objects.get(attempt=sitting, position=1).seq == 0
