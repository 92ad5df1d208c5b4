"""The overview and a module page cost the same number of queries whatever the item count,
and are served from cache to readers until something is published."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import StandardModulePage

pytestmark = pytest.mark.django_db

MODULE_URL = "/standard/yd-t-2823-2015/module-4/"


def _queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_module_page_queries_do_not_grow_with_items(client, standard_factory):
    standard_factory(items=5)
    few = _queries(client, MODULE_URL)
    standard_factory(items=35)  # the same version, re-imported with 35 items per module
    assert StandardModulePage.objects.get(number=4).items.count() == 35
    many = _queries(client, MODULE_URL)
    assert few == many
    assert many <= 16  # 11 of them are Wagtail routing the URL to the page


def test_overview_queries_do_not_grow_with_items(client, standard_factory):
    standard_factory(items=2)
    few = _queries(client, "/standard/")
    standard_factory(items=30)
    many = _queries(client, "/standard/")
    assert few == many
    assert many <= 12


def test_cached_pages_skip_the_database_until_a_publish(client, standard_factory):
    standard_factory(items=30)
    first = _queries(client, MODULE_URL)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(MODULE_URL).content.decode()
    assert len(captured) < first
    assert "组织应保持第1项要求的记录。" in body

    module = StandardModulePage.objects.get(number=4)
    items = list(module.items.all())
    items[0].requirement = "刚发布的新要求。"
    module.items = items
    module.save_revision().publish()  # clears the cache
    body = client.get(MODULE_URL).content.decode()
    assert "刚发布的新要求。" in body


def test_unpublishing_a_module_clears_the_cached_overview(client, standard_factory):
    standard_factory(items=2)
    assert "网络与信息安全" in client.get("/standard/").content.decode()  # cached now
    StandardModulePage.objects.get(number=8).unpublish()
    assert "网络与信息安全" not in client.get("/standard/").content.decode()
