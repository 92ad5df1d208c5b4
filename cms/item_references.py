"""Matching item references written as text ("YD/T 2823-2015", "4.2.3") to the standard's items,
for the data migrations of apps that used to store them so (exams questions, lms lessons).

It takes the app registry a migration is given (`apps`), so it reads the historical models and
keeps working as the models change; tests call it with `django.apps.apps`. Only published items
of live modules count, as `cms.selectors` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NO_VERSION = "no published version"
NO_ITEM = "no such item"
OTHER_MODULE = "item of another module"


@dataclass(frozen=True)
class Match:
    item_id: int | None
    problem: str = ""  # "" when found; else NO_VERSION, NO_ITEM or OTHER_MODULE


@dataclass
class ItemIndex:
    versions: dict[str, Any] = field(default_factory=dict)  # code (lower case) or slug: version
    current: Any = None
    items: dict[tuple[int, str], tuple[int, int]] = field(default_factory=dict)
    # (version id, code): (item id, module number)

    def version_for(self, text: str) -> Any:
        text = text.strip()
        if not text:
            return self.current
        return self.versions.get(text.lower()) or self.versions.get(text)

    def match(self, *, version: str, code: str, module_number: int | None = None) -> Match:
        found = self.version_for(version)
        if found is None:
            return Match(None, NO_VERSION)
        hit = self.items.get((found.pk, code.strip()))
        if hit is None:
            return Match(None, NO_ITEM)
        item_id, number = hit
        if module_number is not None and number != module_number:
            return Match(None, OTHER_MODULE)
        return Match(item_id)


def item_index(apps: Any) -> ItemIndex:
    """Every live version (with the current one: not superseded by a live version, newest
    first) and its published items."""
    version_model = apps.get_model("cms", "StandardVersionPage")
    item_model = apps.get_model("cms", "StandardItem")
    live = list(version_model.objects.filter(live=True).order_by("-effective_on", "-pk"))
    superseded = {v.supersedes_id for v in live if v.supersedes_id}
    index = ItemIndex(
        current=next((v for v in live if v.pk not in superseded), live[0] if live else None)
    )
    for version in live:
        index.versions.setdefault(version.code.strip().lower(), version)
        index.versions.setdefault(version.slug, version)
        rows = item_model.objects.filter(
            module__live=True, module__path__startswith=version.path,
            module__depth=version.depth + 1,
        ).values_list("pk", "code", "module__number")
        for item_id, code, number in rows:
            index.items.setdefault((version.pk, code), (item_id, number))
    return index


def item_references_of(apps: Any, item_ids: set[int]) -> dict[int, tuple[str, str]]:
    """(version code, item code) of each item, to write a reference back as text (the reverse
    of a data migration)."""
    version_model = apps.get_model("cms", "StandardVersionPage")
    item_model = apps.get_model("cms", "StandardItem")
    items = list(item_model.objects.filter(pk__in=item_ids).values_list(
        "pk", "code", "module__path"))
    versions = {v.path: v.code for v in version_model.objects.all()}
    out = {}
    for item_id, code, path in items:
        parent = next((p for p in versions if path.startswith(p) and len(p) < len(path)), None)
        out[item_id] = (versions.get(parent, "") if parent else "", code)
    return out
