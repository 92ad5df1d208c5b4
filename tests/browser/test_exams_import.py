"""An exam admin imports questions in the browser: a bad file lists its problems, a bomb is
refused by its limit, a good file shows what was imported (Celery runs the task at once here, as
on `make run`)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from exams.importing import COLUMNS
from exams.models import Question
from tests.browser.sign_in import sign_in
from tests.core.uploads_helpers import xlsx_bomb

pytestmark = pytest.mark.django_db(transaction=True)


def _csv(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS, *rows])
    return out.getvalue().encode()


def test_an_exam_admin_imports_a_spreadsheet(page, user_factory, totp_code):
    admin = user_factory(roles=["exam_admin"])
    sign_in(page, admin.email, "pass-Word-123", code=totp_code(admin),
            start="/accounts/login/?next=/exams/manage/questions/import/",
            lands_on=r".*/exams/manage/questions/import/$")

    page.locator("#id_file").set_input_files(files=[{
        "name": "bank.xlsx", "mimeType": "application/octet-stream",
        "buffer": xlsx_bomb(unpacked_mb=60)}])
    page.get_by_role("button", name="导入").click()
    assert "工作簿解压后为" in page.locator("form.card").inner_text()

    good = ["Q-1", "2", "", "", "single", "=1+1 等于几？", "1", "2", "", "", "", "", "B", "", ""]
    bad = ["Q-2", "10", "", "", "single", "模块号错误", "甲", "乙", "", "", "", "", "A", "", ""]
    page.locator("#id_file").set_input_files(files=[{
        "name": "bank.csv", "mimeType": "text/csv", "buffer": _csv(good, bad)}])
    page.get_by_role("button", name="导入").click()
    page.wait_for_url(re.compile(r".*/exams/manage/questions/import/\d+/$"))
    assert "第 3 行" in page.get_by_test_id("import-errors").inner_text()
    assert not Question.objects.exists()

    page.locator("#id_file").set_input_files(files=[{
        "name": "bank.csv", "mimeType": "text/csv", "buffer": _csv(good)}])
    page.get_by_role("button", name="导入").click()
    page.wait_for_url(re.compile(r".*/exams/manage/questions/import/\d+/$"))
    assert "已导入 1 行：新增 1" in page.get_by_test_id("import-summary").inner_text()
    assert Question.objects.get().current_version.text == "=1+1 等于几？"
