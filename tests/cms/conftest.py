"""Fixtures for the standard: build a version through the importer (as editors' files do)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from cms.models import MODULE_NAMES


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def standard_data(
    *,
    code: str = "YD/T 2823-2015",
    modules: int | list[int] = 9,
    items: int = 3,
    supersedes: str = "",
    effective_on: str = "2015-07-01",
    extra_items: dict[int, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    numbers = list(range(1, modules + 1)) if isinstance(modules, int) else modules
    rates = {1: 90, 4: 80, 6: 80}
    out_modules = []
    for n in numbers:
        chapter = n + 3
        module_items = [
            {
                "code": f"{chapter}.1.{i}",
                "title": f"条目{chapter}.1.{i}",
                "title_en": f"Item {chapter}.1.{i}",
                "requirement": f"组织应保持第{i}项要求的记录。",
                "requirement_en": f"The organisation keeps records for requirement {i}.",
                "guidance": "<p>准备记录样本。</p>",
                "evidence": ["documents", "records"],
            }
            for i in range(1, items + 1)
        ]
        module_items += (extra_items or {}).get(n, [])
        out_modules.append(
            {
                "number": n,
                "title": MODULE_NAMES[n][0],
                "title_en": MODULE_NAMES[n][1],
                "pass_rate": rates.get(n, 80),
                "items": module_items,
            }
        )
    standard = {
        "code": code,
        "title": "呼叫中心服务质量和运营管理规范",
        "title_en": "Contact centre service quality and operations management",
        "issued_on": "2015-04-30",
        "effective_on": effective_on,
        "sample": True,
    }
    if supersedes:
        standard["supersedes"] = supersedes
    return {"standard": standard, "modules": out_modules}


FCR_ITEM = {
    "code": "8.3.1",
    "title": "首次解决率",
    "title_en": "First contact resolution",
    "requirement": "组织应按月统计首次解决率，并与目标值比较。",
    "requirement_en": "The organisation measures first contact resolution (FCR) every month.",
    "evidence": ["data"],
}


@pytest.fixture
def standard_factory(home_page: Any) -> Callable[..., Any]:
    """Import a version (9 modules × 3 items unless told) and return its version page."""
    from cms.models import StandardVersionPage
    from cms.services import standard_import

    def make(**kwargs: Any) -> StandardVersionPage:
        data = standard_data(**kwargs)
        standard_import(data=data)
        return StandardVersionPage.objects.get(code=data["standard"]["code"])

    return make
