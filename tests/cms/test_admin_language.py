"""Wagtail's admin speaks the editor's Chinese (Wagtail's own zh_Hans catalogue, completed by
config/locale for the strings it lacks) and loads no image from another host (no gravatar)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(user_factory):
    return user_factory(roles=["content_editor"], is_staff=True)


def test_the_dashboard_renders_in_chinese_for_an_editor(client, standard_factory, editor):
    standard_factory(items=2)
    client.force_login(editor)
    html = client.get("/cms-admin/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert "控制面板" in html  # Wagtail's own catalogue
    assert re.search(r"\d+ 个页面 <span", html)  # was "15 Pages"
    assert 'placeholder="搜索所有页面…"' in html  # was "Search all pages…"
    assert "键盘快捷键已启用" in html
    for english in ("Pages <span", "Search all pages", "Show keyboard shortcuts",
                    "Keyboard shortcuts are currently enabled", "editor guide"):
        assert english not in html, english


def test_the_reports_an_editor_opens_are_in_chinese(client, standard_factory, editor):
    standard_factory(items=2)
    client.force_login(editor)
    html = client.get("/cms-admin/reports/page-types-usage/").content.decode()
    assert "页面类型使用情况" in html and "Page types usage" not in html


def test_an_editor_who_chose_english_in_the_platform_gets_the_english_admin(
        client, standard_factory, user_factory):
    standard_factory(items=2)
    client.force_login(user_factory(roles=["content_editor"], is_staff=True, language="en"))
    client.cookies["django_language"] = "en"
    html = client.get("/cms-admin/").content.decode()
    assert "Search all pages" in html and "搜索所有页面" not in html


EXTERNAL_IMAGE = re.compile(
    r"""(?:<img[^>]*\ssrc|srcset|avatarUrl&quot;:\s*&quot;|"avatarUrl":\s*")\s*=?\s*["']?"""
    r"""(?P<url>(?:https?:)?//[^"'&\s>]+)""")


@pytest.mark.parametrize("path", [
    "/cms-admin/", "/cms-admin/account/", "/cms-admin/users/", "/cms-admin/pages/{version}/",
    "/cms-admin/pages/{module}/edit/", "/cms-admin/pages/{module}/history/",
    "/cms-admin/reports/site-history/",
])
def test_no_admin_page_loads_an_avatar_or_image_from_another_host(
        client, standard_factory, user_factory, path):
    from cms.models import StandardModulePage

    version = standard_factory(items=2)
    module = StandardModulePage.objects.child_of(version).first()
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    response = client.get(path.format(version=version.pk, module=module.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "gravatar" not in html
    assert EXTERNAL_IMAGE.findall(html) == []
    assert "default-user-avatar.png" in html  # the local avatar instead
