"""Every schema of the API has its own name: django-ninja files components by class name, so two
`ProfileOut`s (a person's and an organisation's) would make one operation document the other's
body. Checked on the generated OpenAPI document, where the clash shows."""

from __future__ import annotations

from collections import Counter

from ninja import Schema

from config.api import api


def _schema_classes() -> list[type[Schema]]:
    found, stack = [], list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in {"core", "accounts", "cms", "lms", "exams",
                                            "certification", "reviews"}:
            found.append(cls)
    return found


def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # imports every router's schemas
    names = Counter(cls.__name__ for cls in _schema_classes())
    assert [name for name, count in names.items() if count > 1] == []
