"""A candidate sits an exam in the browser: answers autosave, a reload keeps them, a failed save
is retried with a visible notice, submitting shows pass/fail with the module breakdown."""

from __future__ import annotations

import re

import pytest

from exams.models import AttemptQuestion
from tests.browser.exam_paper import _choose, _sign_in_and_start, _wait_for_status

pytestmark = pytest.mark.django_db(transaction=True)
QUEUED = "已离线保存在本机，恢复连接后自动提交。"
SAVES = "**/api/v1/exams/attempts/*/answers/*"


def test_sit_an_exam_reload_and_see_the_result_and_the_credential(page, live_server,
                                                                  exam_and_candidate):
    _exam, person = exam_and_candidate
    _sign_in_and_start(page, person)
    assert page.get_by_test_id("countdown").inner_text().startswith(("19:", "20:"))

    items = {i.position: i for i in AttemptQuestion.objects.filter(attempt__user=person)
             .select_related("version")}
    texts = {p: {o["key"]: o["text"] for o in i.version.options} for p, i in items.items()}
    # Right on questions 1-3, wrong on 4: 75%, a pass.
    for position in (1, 2):
        _choose(page, position, texts[position]["A"])
    page.locator("#q2 .flag-input").check()
    status = page.get_by_test_id("save-status")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=save-status]').className"
        ".includes('save-status-saved')")
    assert page.get_by_test_id("nav-1").get_attribute("class").count("answered") == 1
    assert "flagged" in page.get_by_test_id("nav-2").get_attribute("class")
    assert "answered" not in page.get_by_test_id("nav-3").get_attribute("class")

    # A save that fails is kept and retried, with a visible notice, and then gets through.
    page.route("**/api/v1/exams/attempts/*/answers/*", lambda route: route.abort())
    _choose(page, 3, texts[3]["A"])
    _wait_for_status(page, "queued")
    assert status.inner_text() == QUEUED
    page.unroute("**/api/v1/exams/attempts/*/answers/*")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=save-status]').className"
        ".includes('save-status-saved')", timeout=20_000)

    page.reload()
    for position in (1, 2, 3):
        checked = page.locator(f"#q{position} .options input:checked")
        assert checked.count() == 1
        assert checked.get_attribute("value") == "A"
    assert page.locator("#q2 .flag-input").is_checked()
    assert "answered" in page.get_by_test_id("nav-3").get_attribute("class")

    _choose(page, 4, texts[4]["B"])
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"))
    assert page.get_by_test_id("outcome").inner_text() == "合格"
    assert "75.00%" in page.get_by_test_id("score").inner_text()
    rows = page.get_by_test_id("module-breakdown").locator("tbody tr")
    assert rows.count() == 2
    wrong_module = items[4].module_number
    for row in (rows.nth(0).inner_text(), rows.nth(1).inner_text()):
        expected = "1 / 2" if row.startswith(f"{wrong_module}.") else "2 / 2"
        assert expected in row, row

    # The pass issues the coordinator credential (Celery runs eagerly here): it is one click away.
    page.get_by_test_id("credential-next").get_by_role("link", name="我的证书").click()
    card = page.locator("[data-testid^=credential-CCSO-C-]")
    assert "注册协调员" in card.inner_text()
    with page.expect_download() as download:
        card.get_by_role("link", name="下载").click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_answers_given_off_line_or_while_the_database_is_down_are_kept_across_a_reload_and_saved(
        page, live_server, exam_and_candidate):
    _exam, person = exam_and_candidate
    _sign_in_and_start(page, person)
    items = {i.position: i for i in AttemptQuestion.objects.filter(attempt__user=person)
             .select_related("version")}
    texts = {p: {o["key"]: o["text"] for o in i.version.options} for p, i in items.items()}
    status = page.get_by_test_id("save-status")

    def stored() -> dict[int, list[str]]:
        return {i.position: i.selected for i in AttemptQuestion.objects.filter(attempt__user=person)}

    _choose(page, 1, texts[1]["A"])
    _wait_for_status(page, "saved")

    # Off line: changed twice, only the latest counts; the page says the answers are kept.
    page.context.set_offline(True)
    _choose(page, 1, texts[1]["C"])
    _choose(page, 1, texts[1]["B"])
    _choose(page, 2, texts[2]["A"])
    _wait_for_status(page, "queued")
    assert status.inner_text() == QUEUED

    # Back on line, but the database is restarting: every save answers 503 + Retry-After.
    refused: list[str] = []

    def database_down(route) -> None:
        refused.append(route.request.post_data or "")
        route.fulfill(status=503, headers={"Retry-After": "1"}, content_type="application/json",
                      body='{"detail": "服务暂时不可用", "code": "database_unavailable"}')

    page.route(SAVES, database_down)
    page.context.set_offline(False)
    _choose(page, 3, texts[3]["A"])
    _wait_for_status(page, "queued")
    assert stored()[1] == ["A"] and stored()[2] == [] and stored()[3] == []

    # A reload keeps what the server has not acknowledged, shown as given.
    page.reload()
    for position, key in ((1, "B"), (2, "A"), (3, "A")):
        checked = page.locator(f"#q{position} .options input:checked")
        assert checked.count() == 1 and checked.get_attribute("value") == key, position
        assert "answered" in page.get_by_test_id(f"nav-{position}").get_attribute("class")
    _wait_for_status(page, "queued")
    assert len(refused) >= 3

    # The database is back: the queue is sent, after Retry-After, and nothing is lost.
    page.unroute(SAVES)
    _wait_for_status(page, "saved")
    assert stored() == {1: ["B"], 2: ["A"], 3: ["A"], 4: []}
    assert page.evaluate(
        "id => localStorage.getItem('exam-queue-' + id)", items[1].attempt_id) is None

    # Submitting while a save is refused waits for it, says so, and submits once it is saved.
    page.route(SAVES, database_down)
    _choose(page, 4, texts[4]["A"])
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    _wait_for_status(page, "submitWaiting")
    assert status.inner_text() == "正在提交尚未保存的答案，保存完成后自动交卷。"
    page.unroute(SAVES)
    page.wait_for_url(re.compile(r".*/exams/attempts/\d+/result/$"), timeout=20_000)
    assert stored() == {1: ["B"], 2: ["A"], 3: ["A"], 4: ["A"]}
