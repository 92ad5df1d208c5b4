"""Questions and lessons traced to the standard's items: the migration of the old free-text codes,
imports and forms that refuse an unknown item, the coverage page and an item's page."""

from __future__ import annotations

import csv
import importlib
import io

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.importing import standard_import
from cms.models import StandardItem, StandardVersionPage
from exams.errors import ExamError, ImportRejected
from exams.importing import COLUMNS, questions_export_table, questions_import
from exams.models import Question, QuestionKind
from exams.services import question_save, question_void
from lms.models import Lesson
from tests.cms.conftest import standard_data

question_migration = importlib.import_module("exams.migrations.0003_question_item")
lesson_migration = importlib.import_module("lms.migrations.0005_lesson_items")


def _item(code: str, version: str = "YD/T 2823-2015") -> StandardItem:
    page = StandardVersionPage.objects.get(code=version)
    return StandardItem.objects.get(code=code, module__path__startswith=page.path)


def _old_question(code: str, module: int, item_code: str, version: str = "") -> Question:
    """A question as the bank held it before items were keyed: only the text."""
    return Question.objects.create(code=code, module_number=module, kind=QuestionKind.SINGLE,
                                   legacy_item_code=item_code, legacy_standard_version=version)


def _csv(rows: list[list[str]]) -> io.BytesIO:
    out = io.StringIO()
    csv.writer(out).writerows([COLUMNS, *rows])
    return io.BytesIO(out.getvalue().encode("utf-8"))


def _row(code: str, module: str, item_code: str = "", version: str = "") -> list[str]:
    return [code, module, item_code, version, "single", f"{code} 的题干", "甲", "乙", "", "", "",
            "", "A", "", "yes"]


# --- the data migration ---------------------------------------------------------------------


def test_the_migration_points_questions_at_items_and_keeps_what_matches_nothing(standard):
    newer = standard_import(data=standard_data(code="YD/T 2823-2020", supersedes="YD/T 2823-2015",
                                               effective_on="2020-07-01"))
    assert newer.created
    known = _old_question("Q-KNOWN", 1, "4.1.2", "YD/T 2823-2015")
    by_slug = _old_question("Q-SLUG", 1, "4.1.3", "yd-t-2823-2015")
    current = _old_question("Q-CURRENT", 1, "4.1.1")  # blank version: the current one, 2020
    unknown = _old_question("Q-UNKNOWN", 1, "4.9.9", "YD/T 2823-2015")
    no_version = _old_question("Q-NOVERSION", 1, "4.1.1", "YD/T 1999-2000")
    other_module = _old_question("Q-MODULE", 2, "4.1.1", "YD/T 2823-2015")
    blank = _old_question("Q-BLANK", 3, "")

    unmatched = question_migration.questions_link_items(apps)

    for question in (known, by_slug, current, unknown, no_version, other_module, blank):
        question.refresh_from_db()
    assert known.item == _item("4.1.2") and known.legacy_item_code == ""
    assert known.legacy_standard_version == ""
    assert by_slug.item == _item("4.1.3")
    assert current.item == _item("4.1.1", "YD/T 2823-2020")
    assert current.standard_version == "YD/T 2823-2020" and current.item_code == "4.1.1"
    for kept, text in ((unknown, "4.9.9"), (no_version, "4.1.1"), (other_module, "4.1.1")):
        assert kept.item is None and kept.legacy_item_code == text  # never dropped
    assert no_version.legacy_standard_version == "YD/T 1999-2000"
    assert (blank.item, blank.legacy_item_code) == (None, "")
    assert sorted(line.split(":")[0] for line in unmatched) == [
        "Q-MODULE", "Q-NOVERSION", "Q-UNKNOWN"]
    assert any("no such item" in line for line in unmatched)

    # Run again: nothing changes. Reversed: the text comes back as it was.
    assert question_migration.questions_link_items(apps) == unmatched
    question_migration.questions_unlink_items(apps)
    known.refresh_from_db()
    assert (known.item, known.legacy_standard_version, known.legacy_item_code) == (
        None, "YD/T 2823-2015", "4.1.2")


def test_the_migration_links_lessons_and_keeps_unknown_codes(standard, course):
    lesson = Lesson.objects.create(course=course, module=1, slug="plan", title="规划", body="正文",
                                   legacy_standard_items="4.1.1, 4.9.9，5.1.2, 4.1.1")
    empty = Lesson.objects.create(course=course, module=2, slug="people", title="人员", body="正文")

    unmatched = lesson_migration.lessons_link_items(apps)

    lesson.refresh_from_db()
    assert set(lesson.items.values_list("code", flat=True)) == {"4.1.1", "5.1.2"}
    assert lesson.legacy_standard_items == "4.9.9"
    assert unmatched == [f"plan (course {course.pk}): 4.9.9"]
    assert not empty.items.exists() and empty.legacy_standard_items == ""
    lesson_migration.lessons_unlink_items(apps)
    lesson.refresh_from_db()
    assert not lesson.items.exists()
    assert lesson.legacy_standard_items == "4.1.1, 5.1.2, 4.9.9"


# --- imports and forms refuse an unknown item -------------------------------------------------


def test_the_import_refuses_unknown_items_naming_row_and_column(standard):
    rows = [
        _row("Q-1", "1", "4.1.1"),  # fine: the current version
        _row("Q-2", "1", "4.9.9"),
        _row("Q-3", "1", "4.1.1", "YD/T 1999-2000"),
        _row("Q-4", "2", "4.1.2", "YD/T 2823-2015"),
    ]
    with pytest.raises(ImportRejected) as caught:
        questions_import(upload=_csv(rows), filename="bank.csv", actor=None)
    assert caught.value.errors == [
        "row 3: column 'item_code' names no item of YD/T 2823-2015: 4.9.9",
        "row 4: column 'standard_version' names no published version of the standard: "
        "YD/T 1999-2000",
        "row 5: Item 4.1.2 belongs to module 1; the question is in module 2.",
    ]
    assert not Question.objects.exists()


def test_an_import_traces_questions_and_the_export_writes_the_item_back(standard):
    summary = questions_import(upload=_csv([_row("Q-1", "1", "4.1.3", "YD/T 2823-2015"),
                                            _row("Q-2", "9", "")]),
                               filename="bank.csv", actor=None)
    assert summary.created == 2
    assert Question.objects.get(code="Q-1").item == _item("4.1.3")
    assert Question.objects.get(code="Q-2").item is None
    table = questions_export_table()
    rows = {row[0]: row for row in table.rows}
    assert rows["Q-1"][2:4] == ["4.1.3", "YD/T 2823-2015"]
    assert rows["Q-2"][2:4] == ["", ""]


def test_without_a_published_standard_an_item_code_is_refused(db):
    with pytest.raises(ImportRejected) as caught:
        questions_import(upload=_csv([_row("Q-1", "1", "4.1.1")]), filename="b.csv", actor=None)
    assert caught.value.errors == [
        "row 2: column 'item_code' 4.1.1: no version of the standard is published yet"]


def test_the_service_keeps_a_question_in_its_items_module(standard):
    with pytest.raises(ExamError, match="belongs to module 1"):
        question_save(code="Q-1", module_number=3, kind=QuestionKind.SINGLE, text="题",
                      options=[{"key": "A", "text": "甲"}, {"key": "B", "text": "乙"}],
                      correct_keys=["A"], item=_item("4.1.1"))


def test_the_question_form_refuses_an_unknown_item_and_sets_a_known_one(
        client, user_factory, standard, question_factory):
    question = question_factory(module=1)
    client.force_login(user_factory(roles=["exam_admin"], is_staff=True))
    url = reverse("admin:exams_question_change", args=[question.pk])
    fields = {"module_number": 1, "is_active": "on", "standard_version": "",
              "versions-TOTAL_FORMS": 1, "versions-INITIAL_FORMS": 1,
              "versions-0-id": question.current_version_id, "versions-0-question": question.pk}
    body = client.post(url, {**fields, "item_code": "4.9.9"}).content.decode()
    assert "YD/T 2823-2015 没有条目 4.9.9。" in body
    body = client.post(url, {**fields, "item_code": "5.1.1"}).content.decode()
    assert "条目 5.1.1 属于模块 2" in body
    question.refresh_from_db()
    assert question.item is None
    assert client.post(url, {**fields, "item_code": "4.1.2"}).status_code == 302
    question.refresh_from_db()
    assert question.item == _item("4.1.2")


# --- the coverage page and an item's page ---------------------------------------------------


def test_coverage_is_for_exam_admins_and_editors(client, user_factory, standard):
    url = reverse("exams:items_coverage")
    assert client.get(url).status_code == 302
    assert client.get(url).url.startswith("/accounts/login/")
    client.force_login(user_factory(roles=["trainee"]))
    assert client.get(url).status_code == 403
    assert client.get(reverse("exams:item_trace", args=[_item("4.1.1").pk])).status_code == 403
    for role in ("exam_admin", "content_editor"):
        client.force_login(user_factory(roles=[role]))
        assert client.get(url).status_code == 200, role
    client.force_login(user_factory(roles=["course_admin"]))
    assert client.get(url).status_code == 403


def test_coverage_counts_per_module_and_lists_what_no_question_covers(
        client, user_factory, standard, question_factory, course):
    question_factory(module=1, item=_item("4.1.1"))
    question_factory(module=1, item=_item("4.1.1"))
    retired = question_factory(module=1, item=_item("4.1.2"))
    Question.objects.filter(pk=retired.pk).update(is_active=False)  # not drawn: covers nothing
    voided = question_factory(module=2, item=_item("5.1.1"))
    question_void(question=voided, actor=None, reason="有误")
    question_factory(module=2, item=_item("5.1.3"))
    question_factory(module=3)  # in use, traced to nothing
    _old_question("Q-OLD", 4, "7.9.9", "YD/T 2823-2015")
    lesson = Lesson.objects.create(course=course, module=1, slug="plan", title="规划课",
                                   body="正文")
    lesson.items.set([_item("4.1.3")])
    client.force_login(user_factory(roles=["exam_admin"]))

    body = client.get(reverse("exams:items_coverage")).content.decode()

    assert "YD/T 2823-2015：27 个条目中有 2 个" in body
    module_1 = body.split('data-module="1"')[1].split("</tr>")[0]
    assert "<td>3</td><td>1</td>" in module_1  # 3 items, 1 covered
    assert ">4.1.2</a>, <a" in module_1 and ">4.1.3</a>" in module_1
    assert ">4.1.1</a>" not in module_1
    module_2 = body.split('data-module="2"')[1].split("</tr>")[0]
    assert "<td>3</td><td>1</td>" in module_2 and ">5.1.1</a>" in module_2
    assert "1 道在用的题目未对应任何条目。" in body
    unmatched = body.split('data-testid="unmatched"')[1]
    assert "Q-OLD" in unmatched and "7.9.9" in unmatched


def test_an_item_shows_the_questions_and_lessons_that_trace_to_it(
        client, user_factory, standard, question_factory, course):
    item = _item("4.1.2")
    first = question_factory(module=1, item=item, text="关于战略规划的题目")
    retired = question_factory(module=1, item=item)
    Question.objects.filter(pk=retired.pk).update(is_active=False)
    question_factory(module=1, item=_item("4.1.1"), text="别的条目的题目")
    lesson = Lesson.objects.create(course=course, module=1, slug="plan", title="战略规划课",
                                   body="正文")
    lesson.items.set([item])
    client.force_login(user_factory(roles=["content_editor"]))

    body = client.get(reverse("exams:item_trace", args=[item.pk])).content.decode()

    questions = body.split('data-testid="questions"')[1].split("</table>")[0]
    assert first.code in questions and retired.code in questions and "已停用" in questions
    assert "关于战略规划的题目" in questions and "别的条目的题目" not in body
    assert "战略规划课" in body.split('data-testid="lessons"')[1]
    assert "/standard/yd-t-2823-2015/items/4.1.2/" in body
    assert client.get(reverse("exams:item_trace", args=[999999])).status_code == 404


def test_the_pages_run_a_fixed_number_of_queries(client, user_factory, home_page,
                                                 question_factory, course):
    standard_import(data=standard_data(items=1))
    client.force_login(user_factory(roles=["exam_admin"]))
    item = _item("4.1.1")
    question_factory(module=1, item=item)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    coverage = reverse("exams:items_coverage")
    trace = reverse("exams:item_trace", args=[item.pk])
    count(coverage)  # the first request also fills caches (the site's root paths)
    few = (count(coverage), count(trace))
    standard_import(data=standard_data(items=6))
    for n in range(2, 7):
        question_factory(module=1, item=_item(f"4.1.{n}"))
        question_factory(module=1, item=item)
        lesson = Lesson.objects.create(course=course, module=1, slug=f"l{n}", title=f"课{n}",
                                       body="正文")
        lesson.items.set([item, _item(f"4.1.{n}")])
    many = (count(coverage), count(trace))
    assert many == few


# --- the standard cannot lose an item something traces to -----------------------------------


def test_an_editor_cannot_delete_an_item_questions_or_lessons_trace_to(
        client, user_factory, standard, question_factory, course):
    from cms.models import StandardModulePage
    from tests.cms.test_editing import _module_form

    question_factory(module=2, item=_item("5.1.2"))
    lesson = Lesson.objects.create(course=course, module=2, slug="people", title="人员",
                                   body="正文")
    lesson.items.set([_item("5.1.2")])
    module = StandardModulePage.objects.get(number=2)
    client.force_login(user_factory(roles=["content_editor"], is_staff=True))
    data = _module_form(module, DELETE=True) | {"action-publish": "publish"}
    response = client.post(f"/cms-admin/pages/{module.pk}/edit/", data)
    assert response.status_code == 200
    body = response.content.decode()
    message = body.split("以下条目仍被其他记录引用，不能删除：")[1].split("</li>")[0]
    assert message.startswith("5.1.2 (") and "题目: 1" in message and "课程资料: 1" in message
    assert StandardItem.objects.filter(code="5.1.2").exists()


def test_pruning_an_import_keeps_items_something_traces_to(standard, question_factory):
    from cms.errors import StandardImportError

    question_factory(module=1, item=_item("4.1.3"))
    with pytest.raises(StandardImportError) as caught:
        standard_import(data=standard_data(items=2), prune=True)
    assert any(message.startswith("item 4.1.3 is not in the file but cannot be removed")
               for message in caught.value.messages)
    assert StandardItem.objects.filter(code="4.1.3").exists()
    standard_import(data=standard_data(items=2))  # without pruning: kept and reported


def test_a_module_whose_items_questions_trace_to_is_not_deleted(
        client, user_factory, standard, question_factory):
    from cms.models import StandardModulePage

    question_factory(module=3, item=_item("6.1.1"))
    module = StandardModulePage.objects.get(number=3)
    # Editors may not delete pages at all; a superuser may, but not this one.
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    response = client.post(f"/cms-admin/pages/{module.pk}/delete/", follow=True)
    assert "此页面的条目仍被其他记录引用，不能删除：6.1.1 (题目: 1)" in response.content.decode()
    assert StandardModulePage.objects.filter(pk=module.pk).exists()
