"""The importer loads or updates a whole standard without duplicates; bad files change nothing."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation

from cms.models import StandardItem, StandardModulePage, StandardVersionPage
from cms.services import StandardImportError, standard_import, standard_import_file
from core.models import AuditEntry
from tests.core.uploads_helpers import post_and_follow_import

from .conftest import standard_data

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "cms" / "fixtures" / "yd-t-2823-2015-sample.yaml"


@pytest.fixture(autouse=True)
def _english_messages():
    """The importer's messages are asserted in their English source; what editors read (Chinese
    by default) is checked through the admin page and in the reader's-language test."""
    with translation.override("en"):
        yield


def test_import_creates_the_page_tree_and_reports_it(home_page):
    report = standard_import(data=standard_data(items=2))
    version = StandardVersionPage.objects.get()
    assert version.live and version.url == "/standard/yd-t-2823-2015/"
    modules = StandardModulePage.objects.child_of(version).order_by("number")
    assert [m.number for m in modules] == list(range(1, 10))
    assert all(m.live for m in modules)
    assert StandardItem.objects.count() == 18
    assert "version YD/T 2823-2015" in report.created
    assert report.lines()[0] == "YD/T 2823-2015: 28 created, 0 updated, 0 unchanged"
    assert AuditEntry.objects.filter(action="cms.standard.imported").count() == 1


def test_reimporting_the_same_file_changes_nothing(home_page):
    standard_import(data=standard_data())
    ids = sorted(StandardItem.objects.values_list("pk", flat=True))
    report = standard_import(data=standard_data())
    assert not report.changed
    assert report.lines()[0].startswith("YD/T 2823-2015: 0 created, 0 updated")
    assert sorted(StandardItem.objects.values_list("pk", flat=True)) == ids
    assert StandardVersionPage.objects.count() == 1
    assert StandardModulePage.objects.count() == 9


def test_an_edited_file_updates_items_in_place_and_adds_new_ones(home_page):
    standard_import(data=standard_data())
    item = StandardItem.objects.get(code="4.1.2")
    data = standard_data()
    data["modules"][0]["items"][1]["requirement"] = "修订后的要求文本。"
    data["modules"][0]["pass_rate"] = 95
    data["modules"][0]["items"].append(
        {"code": "4.1.9", "title": "新条目", "requirement": "新的要求。"}
    )
    report = standard_import(data=data)
    item.refresh_from_db()
    assert item.requirement == "修订后的要求文本。"  # same row: other apps' references hold
    assert "item 4.1.2: requirement" in report.updated
    assert "item 4.1.9" in report.created
    assert any(line.startswith("module 1") and "pass_rate" in line for line in report.updated)
    assert StandardModulePage.objects.get(number=1).pass_rate == 95
    # the module page has a new published revision: editors see the import in its history
    assert StandardModulePage.objects.get(number=1).revisions.count() == 2


def test_items_missing_from_the_file_are_kept_and_reported_unless_pruned(home_page):
    standard_import(data=standard_data())
    data = standard_data(items=2)
    report = standard_import(data=data)
    assert "item 4.1.3" in report.not_in_file
    assert StandardItem.objects.filter(code="4.1.3").exists()
    report = standard_import(data=data, prune=True)
    assert "item 4.1.3: removed" in report.updated
    assert not StandardItem.objects.filter(code="4.1.3").exists()


def test_a_bad_file_names_each_bad_row_and_imports_nothing(home_page):
    data = standard_data()
    data["modules"][2]["items"][1]["code"] = "6.1.1"  # already used in module 3 row 1
    data["modules"][4]["items"][0]["requirement"] = ""
    data["modules"][5]["items"][2]["evidence"] = ["photos", "rumours"]
    with pytest.raises(StandardImportError) as error:
        standard_import(data=data)
    messages = error.value.messages
    assert "modules[3].items[2] (item 6.1.1): code 6.1.1 already used at modules[3].items[1]" in (
        messages
    )
    assert "modules[5].items[1] (item 8.1.1): requirement is missing" in messages
    assert any(m.startswith("modules[6].items[3] (item 9.1.3): unknown evidence rumours") for m in
               messages)
    assert StandardVersionPage.objects.count() == 0
    assert StandardItem.objects.count() == 0


def test_the_errors_are_in_the_readers_language(home_page):
    data = standard_data()
    data["modules"][4]["items"][0]["requirement"] = ""
    data["modules"][6]["number"] = 12
    with translation.override("zh-hans"), pytest.raises(StandardImportError) as error:
        standard_import(data=data)
    assert error.value.messages == ["modules[5].items[1]（条目 8.1.1）：缺少 requirement",
                                    "modules[7]：number 必须为 1–9，而不是 12"]


def test_a_failure_while_writing_rolls_everything_back(home_page):
    standard_import(data=standard_data(items=1))
    data = standard_data(items=2, supersedes="GB/T 0000-1999")  # no such version on the site
    data["standard"]["title"] = "新标题"
    with pytest.raises(StandardImportError, match="no version GB/T 0000-1999"):
        standard_import(data=data)
    assert StandardVersionPage.objects.get().title == "呼叫中心服务质量和运营管理规范"
    assert StandardItem.objects.count() == 9


def test_dry_run_reports_without_saving(home_page):
    report = standard_import(data=standard_data(), dry_run=True)
    assert report.created and report.dry_run
    assert StandardItem.objects.count() == 0


def test_invalid_yaml_names_the_line(home_page):
    bad = b"standard:\n  code: YD/T 1\n  title: [unclosed\nmodules: []\n"
    with pytest.raises(StandardImportError, match="line 4"):
        standard_import_file(name="bad.yaml", content=bad)


def test_excel_import_and_its_row_numbers(home_page):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "standard"
    for row in [("code", "YD/T 2823-2015"), ("title", "呼叫中心服务质量和运营管理规范"),
                ("effective_on", "2015-07-01")]:
        sheet.append(row)
    modules = book.create_sheet("modules")
    modules.append(["number", "title", "title_en", "pass_rate"])
    modules.append([1, "规划及发展方向", "Planning and development direction", 90])
    items = book.create_sheet("items")
    items.append(["module", "code", "title", "requirement", "evidence"])
    items.append([1, "4.1.1", "使命与愿景", "组织应有书面的使命。", "documents, interviews"])
    items.append([1, "4.1.2", "服务定位", "", "documents"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(StandardImportError) as error:
        standard_import_file(name="standard.xlsx", content=buffer.getvalue())
    assert error.value.messages == ["sheet items, row 3 (item 4.1.2): requirement is missing"]
    assert StandardItem.objects.count() == 0

    items["D3"] = "组织应明确服务定位。"
    buffer = io.BytesIO()
    book.save(buffer)
    report = standard_import_file(name="standard.xlsx", content=buffer.getvalue())
    assert report.created[-2:] == ["item 4.1.1", "item 4.1.2"]
    item = StandardItem.objects.get(code="4.1.1")
    assert item.evidence_codes == ["documents", "interviews"]


def test_the_command_reports_changes_and_errors(home_page, tmp_path, capsys):
    path = tmp_path / "std.yaml"
    path.write_text(yaml.safe_dump(standard_data(items=1), allow_unicode=True), "utf-8")
    call_command("import_standard", str(path))
    assert "YD/T 2823-2015: 19 created" in capsys.readouterr().out
    call_command("import_standard", str(path))
    assert "0 created, 0 updated" in capsys.readouterr().out

    data = standard_data(items=1)
    data["modules"][0]["items"][0]["code"] = "four"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    with pytest.raises(CommandError, match=r"Nothing was imported:\n  - modules\[1\]\.items\[1\] "
                       r"\(item four\): code “four” must look like 4\.2\.3"):
        call_command("import_standard", str(path))


def test_the_sample_standard_has_nine_modules_of_at_least_twenty_items(home_page):
    report = standard_import_file(name=SAMPLE.name, content=SAMPLE.read_bytes())
    assert not report.not_in_file
    modules = StandardModulePage.objects.order_by("number")
    assert next((m.number, m.title) for m in modules) == (1, "规划及发展方向")
    assert [m.title for m in modules][-1] == "客户权益保护"
    for module in modules:
        assert module.items.count() >= 20
        assert all("示例" in i.requirement for i in module.items.all())
    assert [str(m.pass_rate) for m in modules if m.number in (1, 4, 6)] == ["90.00", "80.00",
                                                                           "80.00"]
    assert StandardVersionPage.objects.get().is_sample


def test_editors_import_from_the_wagtail_admin(client, home_page, user_factory,
                                               django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(data):
        return post_and_follow_import(client, "/cms-admin/standard-import/", data,
                                      django_capture_on_commit_callbacks)

    editor = user_factory(roles=["content_editor"], is_staff=True)
    client.force_login(editor)
    content = yaml.safe_dump(standard_data(items=1), allow_unicode=True).encode()
    upload = SimpleUploadedFile("std.yaml", content)
    response = post({"file": upload, "dry_run": "on"})
    assert "YD/T 2823-2015: 19 created, 0 updated, 0 unchanged (dry run: nothing saved)" in (
        response.content.decode())
    assert StandardItem.objects.count() == 0

    response = post({"file": SimpleUploadedFile("std.yaml", content)})
    assert "19 created" in response.content.decode()
    assert StandardItem.objects.count() == 9
    assert AuditEntry.objects.get(action="cms.standard.imported").actor == editor

    bad = yaml.safe_load(content)
    bad["modules"][1]["items"][0]["title"] = ""
    response = post({
        "file": SimpleUploadedFile("std.yaml", yaml.safe_dump(bad, allow_unicode=True).encode())})
    assert "modules[2].items[1]（条目 5.1.1）：缺少 title" in response.content.decode()

    response = post({
        "file": SimpleUploadedFile("std.xlsx", b"renamed text, not a workbook")})
    assert "std.xlsx：不是可读取的 .xlsx 文件" in response.content.decode()
    response = post({
        "file": SimpleUploadedFile("std.docx", content)})
    assert "“docx”" in response.content.decode() and StandardItem.objects.count() == 9


def test_only_people_allowed_to_import_see_the_import_page(client, home_page, user_factory):
    from django.contrib.auth.models import Permission

    admin_user = user_factory(is_staff=True)
    admin_user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(admin_user)  # may use Wagtail's admin, but not import
    response = client.get("/cms-admin/standard-import/")
    assert response.status_code == 302 and response["Location"] == "/cms-admin/"  # denied
    content = yaml.safe_dump(standard_data(items=1), allow_unicode=True).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post("/cms-admin/standard-import/", {"file": SimpleUploadedFile("s.yaml", content)})
    assert StandardItem.objects.count() == 0
