"""Searching the standard finds items by Chinese phrase (also mid-word), English words or code."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from cms.models import StandardModulePage
from cms.selectors import standard_search

from .conftest import FCR_ITEM

pytestmark = pytest.mark.django_db


def _codes(query: str) -> list[str]:
    return [hit.item.code for hit in standard_search(query=query)]


@pytest.fixture
def standard(standard_factory):
    return standard_factory(extra_items={5: [FCR_ITEM]})


def test_a_chinese_phrase_finds_the_item(standard):
    assert _codes("首次解决率") == ["8.3.1"]


def test_a_phrase_from_the_middle_of_a_word_finds_the_item(standard):
    # 次解决 starts inside 首次 and ends inside 解决率: no word boundary to lean on.
    assert _codes("次解决") == ["8.3.1"]
    assert _codes("按月统计首次") == ["8.3.1"]


def test_an_item_code_finds_the_item_first(standard):
    assert _codes("4.1.2")[0] == "4.1.2"
    assert _codes("8.3.1") == ["8.3.1"]


def test_english_words_match_in_any_case_and_full_width_forms(standard):
    assert _codes("first CONTACT resolution") == ["8.3.1"]
    assert _codes("ＦＣＲ") == ["8.3.1"]
    assert _codes("resolution nonsense") == []


def test_unpublished_modules_are_not_searched(standard):
    StandardModulePage.objects.get(number=5).unpublish()
    assert _codes("首次解决率") == []


def test_the_search_page_links_results_to_their_permalinks(client, standard):
    response = client.get("/standard/search/", {"q": "首次解决率"})
    body = re.sub(r"\s+", " ", response.content.decode())
    assert "找到 1 个与“首次解决率”相关的条目" in body
    assert re.search(r'href="/standard/yd-t-2823-2015/items/8\.3\.1/"', body)
    assert client.get("/standard/search/", {"q": "不存在的词语"}).content.decode().count(
        'class="cms-result"') == 0


def test_results_say_which_version_they_belong_to(standard_factory):
    standard_factory(extra_items={5: [FCR_ITEM]})
    standard_factory(code="YD/T 2823-2021", supersedes="YD/T 2823-2015",
                     effective_on="2021-10-01", extra_items={5: [FCR_ITEM]})
    hits = standard_search(query="首次解决率")
    assert sorted(hit.version.code for hit in hits) == ["YD/T 2823-2015", "YD/T 2823-2021"]


@pytest.mark.postgres
def test_postgres_has_a_trigram_index_for_substring_search(standard):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() is not None
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'cms_standarditem_search_trgm'"
        )
        assert "gin_trgm_ops" in cursor.fetchone()[0]
    assert _codes("次解决") == ["8.3.1"]


def test_a_nul_in_the_search_is_a_400_page_not_a_database_error(client, standard):
    # PostgreSQL refused the NUL in the trigram query (DataError, a 500).
    response = client.get("/standard/search/?q=a%00")
    assert response.status_code == 400 and "无法读取该请求" in response.content.decode()


def test_an_empty_search_suggests_what_to_type_and_a_fruitless_one_how_to_widen_it(
        client, standard):
    for empty in ({}, {"q": ""}, {"q": "   "}):
        body = client.get("/standard/search/", empty).content.decode()
        assert "输入要求中的词语或条目编号" in body
        assert 'href="?q=%E9%A6%96%E6%AC%A1%E8%A7%A3%E5%86%B3%E7%8E%87"' in body  # 首次解决率
        assert 'data-testid="search-none"' not in body
    fruitless = client.get("/standard/search/", {"q": "不存在的词语"}).content.decode()
    assert "找到 0 个" in fruitless and 'data-testid="search-none"' in fruitless
    assert 'data-testid="search-help"' not in fruitless
    found = client.get("/standard/search/", {"q": "首次解决率"}).content.decode()
    assert 'data-testid="search-none"' not in found
