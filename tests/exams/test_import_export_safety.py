"""Question import and export through the pages: exported text never becomes a formula and
imports back unchanged; a file that would unpack or expand too far is refused with the limit it
hit; an import runs as a Celery task whose page shows progress and then the result."""

from __future__ import annotations

import csv
import io
import time
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import table_csv
from core.models import ImportJob
from core.services import import_job_progress
from exams.importing import COLUMNS, questions_export_table, questions_import
from exams.models import Question, QuestionKind
from exams.services import question_save
from tests.core.test_exports import OWASP_PAYLOADS
from tests.core.uploads_helpers import _WORKBOOK_PARTS, post_and_follow_import, xlsx_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam_admin(client, user_factory):
    admin = user_factory(roles=["exam_admin"])
    client.force_login(admin)
    return admin


@pytest.fixture
def risky_bank(db):
    """Questions whose texts are the OWASP payloads (the importer ignores leading blanks, so
    the tab and line-break ones start at their "="), with options a formula trigger starts."""
    for n, payload in enumerate(OWASP_PAYLOADS, start=1):
        question_save(code=f"R-{n}", module_number=1, kind=QuestionKind.SINGLE,
                      text=payload.strip(),
                      options=[{"key": "A", "text": "-1"}, {"key": "B", "text": "+86 10 1234"},
                               {"key": "C", "text": "@所有人"}],
                      correct_keys=["A"], explanation="'=already quoted")
    return {q.code: q.current_version.text for q in Question.objects.all()}


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_xlsx_export_has_no_formula_and_imports_back_unchanged(client, exam_admin,
                                                                    risky_bank):
    response = client.get(reverse("exams:export"))
    content = _content(response)
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2))
    assert {row[0].value: row[5].value for row in rows} == risky_bank
    assert all(cell.data_type in ("s", "n") for row in rows for cell in row if cell.value)
    assert {row[1].data_type for row in rows} == {"n"}  # the module number is a number
    summary = questions_import(upload=io.BytesIO(content), filename="bank.xlsx", actor=None)
    assert (summary.rows, summary.unchanged) == (len(risky_bank), len(risky_bank))


def test_the_csv_export_escapes_formulas_and_imports_back_unchanged(client, exam_admin,
                                                                     risky_bank):
    content = _content(client.get(reverse("exams:export") + "?format=csv"))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    question, option_a = header.index("question"), header.index("option_a")
    assert all(row[question].startswith(("'=", "'+", "'-", "'@")) for row in body)
    assert {row[option_a] for row in body} == {"'-1"}
    assert {row[header.index("explanation")] for row in body} == {"''=already quoted"}
    summary = questions_import(upload=io.BytesIO(content), filename="bank.csv", actor=None)
    assert (summary.rows, summary.unchanged) == (len(risky_bank), len(risky_bank))
    version = Question.objects.get(code="R-1").current_version
    assert [o["text"] for o in version.options] == ["-1", "+86 10 1234", "@所有人"]
    assert version.explanation == "'=already quoted"


def test_an_xlsx_bomb_is_refused_in_the_form_at_once(client, exam_admin):
    bomb = SimpleUploadedFile("bank.xlsx", xlsx_bomb(unpacked_mb=100))
    started = time.monotonic()
    response = client.post(reverse("exams:import"), {"file": bomb})
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "解压后为 99.1\xa0MB；上限为 50.0\xa0MB" in response.content.decode()
    assert elapsed < 3  # parsing it would take many minutes
    assert not ImportJob.objects.exists() and not Question.objects.exists()  # nothing stored


def _sheet(rows_xml: str, dimension: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows_xml}'
            "</sheetData></worksheet>"))
    return out.getvalue()


@pytest.mark.parametrize(("name", "content", "message"), [
    # A tiny sheet whose one cell sits on row 1,048,576: the reader would hand out a million
    # empty rows first (the "133 KB, 24 s" file).
    ("bank.xlsx", _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
                         '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is>'
                         "</c></row>"),
     "工作表 questions 超过 20000 行"),
    ("bank.xlsx", _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "题" * 20_000
                         + "</t></is></c></row>"),
     "工作表 questions，第 1 行第 1 列：该单元格有 20000 个字符；上限为 10000"),
    ("bank.csv", b"code,question\nQ-1,\"" + b"x" * 1024 * 1024 + b"\"\n",
     "文件，第 2 行：有单元格超过 10000 个字符的上限"),
])
def test_files_beyond_the_row_and_cell_limits_are_refused_by_name(
        client, exam_admin, django_capture_on_commit_callbacks, name, content, message):
    response = post_and_follow_import(client, reverse("exams:import"),
                                      {"file": SimpleUploadedFile(name, content)},
                                      django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ImportJob.objects.get().state == ImportJob.State.FAILED
    assert not Question.objects.exists()


def test_the_import_runs_as_a_task_and_its_page_follows_it(client, exam_admin, user_factory,
                                                           django_capture_on_commit_callbacks):
    rows = [COLUMNS] + [[f"Q-{n}", "2", "", "", "single", f"第{n}题", "甲", "乙", "", "", "",
                         "", "A", "", ""] for n in range(1, 31)]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    with django_capture_on_commit_callbacks() as queued:  # the task waits for a worker
        response = client.post(reverse("exams:import"),
                               {"file": SimpleUploadedFile("bank.csv", out.getvalue().encode())})
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("exams:import_job", args=[job.pk])
    stored = job.file.name
    assert default_storage.exists(stored) and job.filename == "bank.csv"

    page = client.get(response["Location"])
    assert page["Refresh"] == "2" and "正在导入 bank.csv" in page.content.decode()
    import_job_progress(job_id=job.pk, done=10, total=30)  # what the task reports as it goes
    assert '<progress value="10" max="30">' in client.get(response["Location"]).content.decode()

    other = user_factory(roles=["exam_admin"])
    client.force_login(other)
    assert client.get(response["Location"]).status_code == 404  # only the uploader's own
    client.force_login(exam_admin)

    for callback in queued:  # the worker takes it (eager in tests)
        callback()
    page = client.get(response["Location"])
    assert not page.has_header("Refresh")
    assert "已导入 30 行：新增 30" in page.content.decode()
    assert Question.objects.count() == 30
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and not default_storage.exists(stored)

    from exams.tasks import questions_import_run

    questions_import_run.delay(job.pk)  # run twice: nothing happens
    assert Question.objects.count() == 30
    assert table_csv(questions_export_table()).count(b"\n") == 31


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_import_completes_within_the_request(client, user_factory):
    """`make run` has no broker: Celery runs the task at once, on commit of the upload."""
    client.force_login(user_factory(roles=["exam_admin"]))
    rows = [COLUMNS, ["Q-1", "2", "", "", "single", "第1题", "甲", "乙", "", "", "", "", "A", "",
                      ""]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    response = client.post(reverse("exams:import"),
                           {"file": SimpleUploadedFile("bank.csv", out.getvalue().encode())},
                           follow=True)
    assert "已导入 1 行：新增 1" in response.content.decode()
    assert not response.has_header("Refresh")
