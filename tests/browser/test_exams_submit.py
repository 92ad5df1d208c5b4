"""Submitting an exam in the browser: the warning counts the blank questions exactly, a
double-click asks once, and a submitted paper never shows as live again (back, a stale tab)."""

from __future__ import annotations

import re

import pytest

from exams.models import Attempt, AttemptQuestion, AttemptState
from exams.services import attempt_submit
from tests.browser.test_exams_sitting import (  # noqa: F401  (the fixture is used by name)
    _choose,
    _sign_in_and_start,
    _wait_for_status,
    exam_and_candidate,
)

pytestmark = pytest.mark.django_db(transaction=True)
CONFIRM = "现在交卷吗？交卷后不能再修改答案。"


def _texts(person) -> dict[int, dict[str, str]]:  # type: ignore[no-untyped-def]
    items = AttemptQuestion.objects.filter(attempt__user=person).select_related("version")
    return {i.position: {o["key"]: o["text"] for o in i.version.options} for i in items}


class Dialogs:
    """Every dialog the page opens, answered with `accept` (dismissed until told otherwise)."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.shown: list[str] = []
        self.accept = False
        page.on("dialog", self._answer)

    def _answer(self, dialog) -> None:  # type: ignore[no-untyped-def]
        self.shown.append(dialog.message)
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()


def test_the_submit_warning_counts_blank_questions_and_a_double_click_asks_once(
        page, live_server, exam_and_candidate):
    _exam, person = exam_and_candidate
    _sign_in_and_start(page, person)
    texts = _texts(person)
    dialogs = Dialogs(page)
    shown = dialogs.shown
    submit = page.get_by_role("button", name="交卷")

    # A fresh paper: all four questions are blank.
    submit.click()
    assert shown == ["还有 4 道题未作答。\n" + CONFIRM]

    # One question left blank is still a warning.
    for position in (1, 2, 3):
        _choose(page, position, texts[position]["A"])
    _wait_for_status(page, "saved")
    shown.clear()
    submit.click()
    assert shown == ["还有 1 道题未作答。\n" + CONFIRM]

    # All answered: only the confirmation, once for a double-click.
    _choose(page, 4, texts[4]["B"])
    _wait_for_status(page, "saved")
    shown.clear()
    submit.dblclick()
    page.wait_for_timeout(500)
    assert shown == [CONFIRM]
    assert Attempt.objects.get(user=person).state == AttemptState.OPEN

    # Accepted, a double-click still asks once and submits once.
    shown.clear()
    dialogs.accept = True
    submit.dblclick()
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"))
    assert shown == [CONFIRM]
    assert page.get_by_test_id("outcome").is_visible()
