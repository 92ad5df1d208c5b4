"""Submitting an exam in the browser: the warning counts the blank questions exactly, a
double-click asks once, and a submitted paper never shows as live again (back, a stale tab)."""

from __future__ import annotations

import re

import pytest

from exams.models import Attempt, AttemptQuestion, AttemptState
from exams.services import attempt_submit
from tests.browser.exam_paper import _choose, _sign_in_and_start, _wait_for_status

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


def test_back_after_submitting_and_a_stale_tab_show_the_result_not_a_live_exam(
        page, live_server, exam_and_candidate):
    _exam, person = exam_and_candidate
    _sign_in_and_start(page, person)
    texts = _texts(person)
    paper_url = page.url
    for position in (1, 2, 3, 4):
        _choose(page, position, texts[position]["A"])
    _wait_for_status(page, "saved")

    # The same paper open in a second tab, left behind.
    stale = page.context.new_page()
    stale.goto(paper_url)
    assert stale.get_by_test_id("countdown").is_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"))

    page.go_back()
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"))
    assert page.get_by_test_id("outcome").is_visible()
    assert page.get_by_test_id("countdown").count() == 0

    # The stale tab, looked at again, finds out before an answer is clicked.
    stale.bring_to_front()
    stale.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    stale.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"))
    assert stale.get_by_test_id("outcome").is_visible()


def test_a_paper_submitted_elsewhere_closes_when_its_tab_is_looked_at_again(
        page, live_server, exam_and_candidate):
    """Submitted by the API (the mini-program) while the web page stays open."""
    _exam, person = exam_and_candidate
    _sign_in_and_start(page, person)
    attempt_submit(attempt_id=Attempt.objects.get(user=person).pk, user=person)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"))
    assert page.get_by_test_id("outcome").is_visible()
