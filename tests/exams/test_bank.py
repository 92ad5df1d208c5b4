"""The question bank: versions, blueprint checks, spreadsheet import/export, demo content."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core.exports import table_csv, table_xlsx
from exams.errors import BlueprintUnfillable, ImportRejected
from exams.importing import COLUMNS, questions_export_table, questions_import
from exams.models import Question, QuestionKind, QuestionVersion
from exams.services import blueprint_check, question_save
from tests.core.uploads_helpers import post_and_follow_import

GOOD = [
    ["Q-1", "1", "4.1.1", "YD/T 2823-2015", "single", "战略规划通常覆盖几年？", "一年", "三至五年",
     "十年", "", "", "", "B", "战略规划是中长期计划。", "yes"],
    ["Q-2", "3", "6.1.2", "", "多选", "排班需要依据哪些信息？", "话务预测", "服务水平目标", "员工生日",
     "", "", "", "A,B", "", ""],
    ["Q-3", "9", "", "", "判断", "录音前应告知客户。", "", "", "", "", "", "", "对", "", ""],
]


@pytest.fixture(autouse=True)
def _standard(standard):
    """The rows above name items of this standard."""


def _xlsx(rows, header=COLUMNS) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def _csv(rows, header=COLUMNS) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def test_import_xlsx_creates_questions(db):
    summary = questions_import(upload=_xlsx(GOOD), filename="bank.xlsx", actor=None)
    assert (summary.rows, summary.created) == (3, 3)
    q2 = Question.objects.get(code="Q-2")
    assert q2.kind == QuestionKind.MULTIPLE and q2.module_number == 3
    assert q2.current_version.correct_keys == ["A", "B"]
    q3 = Question.objects.get(code="Q-3")
    assert q3.kind == QuestionKind.TRUE_FALSE
    assert q3.current_version.options == [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]
    assert q3.current_version.correct_keys == ["A"]
    assert Question.objects.get(code="Q-1").item_code == "4.1.1"


def test_import_is_all_or_nothing_with_row_level_errors(db):
    rows = [
        *GOOD,
        ["Q-4", "10", "", "", "single", "模块号错误的题", "甲", "乙", "", "", "", "", "A", "", ""],
        ["Q-5", "2", "", "", "single", "答案不在选项中", "甲", "乙", "", "", "", "", "D", "", ""],
        ["Q-6", "2", "", "", "essay", "题型错误", "甲", "乙", "", "", "", "", "A", "", ""],
        ["Q-7", "2", "", "", "single", "单选给了两个答案", "甲", "乙", "丙", "", "", "", "A,B", "", ""],
        ["", "2", "", "", "判断", "缺少编号", "", "", "", "", "", "", "也许", "", ""],
        ["Q-1", "1", "", "", "single", "重复编号", "甲", "乙", "", "", "", "", "A", "", ""],
    ]
    with pytest.raises(ImportRejected) as caught:
        questions_import(upload=_csv(rows), filename="bank.csv", actor=None)
    errors = caught.value.errors
    text = "\n".join(errors)
    assert "row 5: column 'module'" in text
    assert "row 6: column 'answer'" in text
    assert "row 7: column 'type'" in text
    assert "row 8: column 'answer'" in text
    assert "row 9: column 'code'" in text and "row 9: column 'answer'" in text
    assert "row 10: column 'code' repeats Q-1 from row 2" in text
    assert Question.objects.count() == 0  # nothing half-imported


def test_import_rejects_a_header_without_required_columns(db):
    with pytest.raises(ImportRejected, match="answer"):
        questions_import(upload=_csv([["Q-1", "1"]], header=["code", "module", "type",
                                                                "question"]),
                         filename="bank.csv", actor=None)


def test_reimport_versions_changed_rows_only(db):
    questions_import(upload=_xlsx(GOOD), filename="bank.xlsx", actor=None)
    changed = [row[:] for row in GOOD]
    changed[0][5] = "战略规划一般覆盖多长时间？"
    summary = questions_import(upload=_xlsx(changed), filename="bank.xlsx", actor=None)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    q1 = Question.objects.get(code="Q-1")
    assert q1.current_version.number == 2
    assert QuestionVersion.objects.filter(question=q1).count() == 2


def test_export_round_trips_through_import(db):
    questions_import(upload=_xlsx(GOOD), filename="bank.xlsx", actor=None)
    workbook = load_workbook(io.BytesIO(table_xlsx(questions_export_table())))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert len(rows) == 4
    for payload, name in ((table_xlsx(questions_export_table()), "x.xlsx"),
                          (table_csv(questions_export_table()), "x.csv")):
        summary = questions_import(upload=io.BytesIO(payload), filename=name, actor=None)
        assert summary.unchanged == 3, name


def test_import_page_for_exam_admins_only(client, user_factory,
                                         django_capture_on_commit_callbacks):
    client.force_login(user_factory(roles=["trainee"]))
    assert client.get(reverse("exams:import")).status_code == 403
    client.force_login(user_factory(roles=["exam_admin"]))
    bad = [["Q-9", "1", "", "", "single", "题", "甲", "乙", "", "", "", "", "C", "", ""]]
    upload = SimpleUploadedFile("bank.csv", _csv(bad).getvalue(), content_type="text/csv")
    body = post_and_follow_import(client, reverse("exams:import"), {"file": upload},
                                  django_capture_on_commit_callbacks).content.decode()
    assert "第 2 行：“answer”列必须列出已填写选项的字母" in body
    assert not Question.objects.exists()
    assert client.get(reverse("exams:export") + "?format=csv").status_code == 200


def test_blueprint_the_bank_cannot_fill_names_the_module(question_factory):
    for _i in range(3):
        question_factory(module=2)
    question_factory(module=4, kind=QuestionKind.TRUE_FALSE)
    blueprint_check(rules=[(2, "", 3)])
    with pytest.raises(BlueprintUnfillable) as caught:
        blueprint_check(rules=[(2, "", 4), (4, QuestionKind.MULTIPLE, 1), (2, "single", 1)])
    messages = caught.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Module 2") or messages[0].startswith("模块 2")
    assert "4" in messages[1]


def test_blueprint_rejected_in_admin_form(client, user_factory, course, question_factory):
    question_factory(module=1)
    admin = user_factory(roles=["exam_admin"], is_staff=True)
    client.force_login(admin)
    data = {
        "course": course.pk, "title": "新考试", "duration_minutes": 60,
        "pass_mark_percent": "60.00", "max_attempts": 2, "retake_wait_hours": 24,
        "cap_deadline_at_window_end": "on", "multiple_choice_rule": "all_or_nothing",
        "blueprint-TOTAL_FORMS": 1, "blueprint-INITIAL_FORMS": 0,
        "blueprint-0-module_number": 7, "blueprint-0-kind": "", "blueprint-0-count": 5,
        "sittings-TOTAL_FORMS": 0, "sittings-INITIAL_FORMS": 0,
    }
    response = client.post(reverse("admin:exams_exam_add"), data)
    assert response.status_code == 200
    assert "7" in response.content.decode()
    from exams.models import Exam

    assert not Exam.objects.exists()
    data["blueprint-0-module_number"] = 1
    data["blueprint-0-count"] = 1
    assert client.post(reverse("admin:exams_exam_add"), data).status_code == 302
    assert Exam.objects.get().blueprint.get().count == 1


def test_editing_a_question_never_changes_an_old_version(db):
    q, _ = question_save(code="V-1", module_number=1, kind="single", text="旧题干",
                         options=[{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                         correct_keys=["A"])
    first = q.current_version
    question_save(code="V-1", module_number=1, kind="single", text="新题干",
                  options=[{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                  correct_keys=["B"])
    first.refresh_from_db()
    assert (first.text, first.correct_keys) == ("旧题干", ["A"])


def test_demo_bank_covers_all_modules_and_loads_twice(db):
    from exams import demo
    from exams.models import Exam
    from lms.models import Course

    Course.objects.create(code="x", title=demo.DEMO_COURSE_TITLE, price=0)
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert Question.objects.count() >= 150
    per_module = {m: Question.objects.filter(module_number=m).count() for m in range(1, 10)}
    assert all(n >= 15 for n in per_module.values()), per_module
    assert {q.kind for q in Question.objects.all()} == set(QuestionKind.values)
    assert QuestionVersion.objects.count() == Question.objects.count()
    exam = Exam.objects.get(title=demo.DEMO_EXAM_TITLE)
    assert exam.pass_mark_percent == 60 and exam.sittings.count() == 1
    blueprint_check(rules=[(r.module_number, r.kind, r.count) for r in exam.blueprint.all()])


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bank.xlsx", b"not a workbook at all", "不是可读取的 .xlsx 工作簿"),
    ("bank.csv", "code,module\nQ-1,1\n".encode("gb18030") + "题目".encode("gb18030"),
     "不是 UTF-8 文本"),
    ("bank.pdf", b"%PDF-1.7", "文件扩展“pdf”是不被允许"),
])
def test_unreadable_or_wrong_kind_of_file_gets_a_clear_message(
        client, user_factory, name, content, message, django_capture_on_commit_callbacks):
    client.force_login(user_factory(roles=["exam_admin"]))
    upload = SimpleUploadedFile(name, content)
    response = post_and_follow_import(client, reverse("exams:import"), {"file": upload},
                                      django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Question.objects.exists()


def test_an_oversized_file_is_refused_before_it_is_read(client, user_factory):
    client.force_login(user_factory(roles=["exam_admin"]))
    upload = SimpleUploadedFile("bank.csv", b"x" * (5 * 1024 * 1024 + 1))
    body = client.post(reverse("exams:import"), {"file": upload}).content.decode()
    assert re.search(r"限制为 5.0\s*MB", body)
