"""Visitors read the standard without an account, in Chinese or English; drafts stay private."""

from __future__ import annotations

import re

import pytest
from wagtail.models import Page

from cms.models import (
    GuidancePage,
    HomePage,
    StandardIndexPage,
    StandardItem,
    StandardModulePage,
    StandardVersionPage,
)

from .conftest import FCR_ITEM

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_overview_lists_the_nine_modules_with_pass_rates(client, standard_factory):
    standard_factory()
    body = _text(client.get("/standard/"))
    assert "YD/T 2823-2015" in body
    for name in ["规划及发展方向", "人员管理", "现场管理", "流程管理", "绩效管理", "客户价值与满意度",
                 "技术管理", "网络与信息安全", "客户权益保护"]:
        assert name in body
    assert re.search(r"规划及发展方向</a></td><td>3</td><td>90%", body)
    assert re.search(r"客户价值与满意度</a></td><td>3</td><td>80%", body)
    assert 'href="/standard/yd-t-2823-2015/pdf/"' in body


def test_module_page_shows_items_pass_rate_and_permalinks(client, standard_factory):
    standard_factory()
    body = _text(client.get("/standard/yd-t-2823-2015/module-1/"))
    assert "模块 1" in body and "规划及发展方向" in body
    assert "评审合格率：90%" in body
    assert 'id="item-4.1.2"' in body
    assert re.search(r'href="/standard/yd-t-2823-2015/items/4\.1\.2/"', body)
    assert "组织应保持第2项要求的记录。" in body
    assert "文件" in body and "过程记录" in body  # evidence kinds


def test_item_permalink_shows_the_item_and_its_version(client, standard_factory):
    standard_factory(extra_items={5: [FCR_ITEM]})
    response = client.get("/standard/yd-t-2823-2015/items/8-3-1/")
    assert response.status_code == 200
    body = _text(response)
    assert "首次解决率" in body and "组织应按月统计首次解决率" in body
    assert "YD/T 2823-2015 的条目" in body
    assert "12个月数据" in body
    assert client.get("/standard/yd-t-2823-2015/items/8-3-9/").status_code == 404


def test_the_item_page_names_the_item_once(client, standard_factory):
    standard_factory(extra_items={5: [FCR_ITEM]})
    body = client.get("/standard/yd-t-2823-2015/items/8.3.1/").content.decode()
    headings = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", body, flags=re.S)
    assert [h for h in headings if "首次解决率" in h] == [
        '<span class="cms-code">8.3.1</span> 首次解决率']


def test_dotted_permalink_serves_the_item(client, standard_factory):
    standard_factory()
    response = client.get("/standard/yd-t-2823-2015/items/4.1.2/")
    assert response.status_code == 200
    assert "组织应保持第2项要求的记录。" in response.content.decode()
    module = _text(client.get("/standard/yd-t-2823-2015/module-1/"))
    assert 'href="/standard/yd-t-2823-2015/items/4.1.2/"' in module


def test_permalink_survives_edits_of_the_item(client, standard_factory):
    standard_factory()
    module = StandardModulePage.objects.get(number=1)
    items = list(module.items.all())
    items[1].title = "改过的标题"
    module.items = items
    module.save_revision().publish()
    body = _text(client.get("/standard/yd-t-2823-2015/items/4-1-2/"))
    assert "改过的标题" in body


def test_english_ui_shows_english_content_where_written(client, standard_factory):
    standard_factory()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    overview = _text(client.get("/standard/"))
    assert "Planning and development direction" in overview
    assert "Pass rate in reviews" in overview
    module = _text(client.get("/standard/yd-t-2823-2015/module-4/"))
    assert "Module 4: Process management" in module
    assert "The organisation keeps records for requirement 1." in module
    # no English guidance was written: the Chinese shows rather than nothing
    assert "准备记录样本。" in module


def test_a_revised_version_supersedes_the_old_one_which_stays_readable(client, standard_factory):
    standard_factory()
    standard_factory(code="YD/T 2823-2021", supersedes="YD/T 2823-2015", effective_on="2021-10-01")
    overview = _text(client.get("/standard/"))
    assert re.search(r"现行版本: <a href=\"/standard/yd-t-2823-2021/\">YD/T 2823-2021", overview)
    assert re.search(r"YD/T 2823-2015</a>.*?已被替代", overview)
    old = _text(client.get("/standard/yd-t-2823-2015/"))
    assert "YD/T 2823-2015 已被新版本替代" in old
    assert 'href="/standard/yd-t-2821-2021/"' not in old and "/standard/yd-t-2823-2021/" in old
    old_item = _text(client.get("/standard/yd-t-2823-2015/items/4-1-1/"))
    assert "YD/T 2823-2015 的条目" in old_item and "已被替代" in old_item
    new_item = _text(client.get("/standard/yd-t-2823-2021/items/4-1-1/"))
    assert "YD/T 2823-2021 的条目" in new_item and "现行" in new_item


def test_drafts_are_never_public_but_editors_preview_them(client, standard_factory, user_factory):
    standard_factory()
    module = StandardModulePage.objects.get(number=2)
    item = module.items.get(code="5.1.1")
    item.requirement = "尚未发布的草稿文本。"
    module.items = [item, *module.items.exclude(pk=item.pk)]
    revision = module.save_revision()
    assert "尚未发布的草稿文本" not in client.get("/standard/yd-t-2823-2015/module-2/").content.decode()
    assert "尚未发布的草稿文本" not in client.get(
        "/standard/yd-t-2823-2015/items/5-1-1/").content.decode()
    assert StandardItem.objects.get(pk=item.pk).requirement != "尚未发布的草稿文本。"

    editor = user_factory(roles=["content_editor"], is_staff=True)
    client.force_login(editor)
    preview = client.get(f"/cms-admin/pages/{module.pk}/revisions/{revision.pk}/view/")
    assert preview.status_code == 200
    assert "尚未发布的草稿文本" in preview.content.decode()


def test_page_types_only_go_under_the_right_parents():
    assert StandardVersionPage.allowed_parent_page_models() == [StandardIndexPage]
    assert StandardModulePage.allowed_parent_page_models() == [StandardVersionPage]
    assert StandardModulePage.allowed_subpage_models() == []
    assert StandardIndexPage.allowed_parent_page_models() == [HomePage]
    assert not StandardModulePage.can_create_at(Page())
    assert GuidancePage in StandardIndexPage.allowed_subpage_models()


def test_guidance_page_renders_callouts_and_tables(client, home_page):
    from cms.demo import guidance_and_notices_ensure

    guidance_and_notices_ensure(home=home_page)
    body = _text(client.get("/standard/preparing-evidence/"))
    assert "如何准备评审证据（示例）" in body
    assert 'class="cms-callout cms-callout-warning"' in body
    assert "<table" in body and "签字访谈记录" in body
    notice = client.get("/notices/coordinator-course-cohorts/")
    assert notice.status_code == 200


def test_a_module_never_published_stays_out_of_overview_search_and_permalinks(
    client, standard_factory
):
    version = standard_factory(modules=[1, 2])
    draft = StandardModulePage(title="人员管理草稿", slug="module-3", number=3, live=False)
    draft.items = [StandardItem(code="6.9.1", title="草稿条目", requirement="未发布的秘密要求。")]
    version.add_child(instance=draft)
    draft.save_revision()

    assert StandardItem.objects.filter(code="6.9.1").exists()  # saved with the draft page
    assert "人员管理草稿" not in client.get("/standard/").content.decode()
    assert client.get("/standard/yd-t-2823-2015/module-3/").status_code == 404
    assert client.get("/standard/yd-t-2823-2015/items/6-9-1/").status_code == 404
    assert "未发布的秘密要求" not in client.get("/standard/search/", {"q": "秘密"}).content.decode()
    assert client.get("/api/v1/cms/standards/yd-t-2823-2015/items/6.9.1").status_code == 404
