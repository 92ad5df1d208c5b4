"""Reads of the standard used by pages, views, the API and other apps.

Every function runs a fixed number of queries whatever the number of items; the public only
ever sees live pages (published content: drafts live in Wagtail revisions, never in these rows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .models import (
    StandardIndexPage,
    StandardItem,
    StandardModulePage,
    StandardVersionPage,
    normalize_search_text,
)

# Context values computed only when a template fragment is not cached.
LazyValue = SimpleLazyObject

CACHE_GENERATION_KEY = "cms:generation"


def cache_generation() -> int:
    generation = cache.get(CACHE_GENERATION_KEY)
    if generation is None:
        generation = 1
        cache.add(CACHE_GENERATION_KEY, generation, None)
    return int(generation)


def page_cache_seconds() -> int:
    return int(getattr(settings, "CMS_PAGE_CACHE_SECONDS", 6 * 3600))


def page_cache_context(request: Any) -> dict[str, Any]:
    """What the standard's templates need for `{% cache %}`: a generation bumped on every
    publish (so publishing clears them all) and no caching at all for previews."""
    preview = bool(getattr(request, "is_preview", False))
    return {
        "cms_generation": cache_generation(),
        "cms_cache_timeout": 0 if preview else page_cache_seconds(),
        "cms_preview": preview,
    }


# --- versions -------------------------------------------------------------------------------


def _superseded_q() -> Exists:
    return Exists(StandardVersionPage.objects.live().filter(supersedes=OuterRef("pk")))


def versions_live(*, index: StandardIndexPage | None = None) -> QuerySet[StandardVersionPage]:
    """Live versions, newest first, each with `is_superseded` annotated."""
    qs = StandardVersionPage.objects.live()
    if index is not None:
        qs = qs.child_of(index)
    return qs.annotate(is_superseded=_superseded_q()).order_by("-effective_on", "-pk")


def version_current(*, index: StandardIndexPage | None = None) -> StandardVersionPage | None:
    versions = list(versions_live(index=index))
    return next((v for v in versions if not v.is_superseded), versions[0] if versions else None)


def version_get(*, code_or_slug: str) -> StandardVersionPage | None:
    return (
        versions_live()
        .filter(Q(code__iexact=code_or_slug) | Q(slug=code_or_slug))
        .select_related("supersedes")
        .first()
    )


def version_successor(version: StandardVersionPage) -> StandardVersionPage | None:
    return StandardVersionPage.objects.live().filter(supersedes=version).first()


@dataclass
class ModuleSummary:
    page: StandardModulePage
    url: str
    item_count: int


@dataclass
class VersionOverview:
    version: StandardVersionPage
    url: str
    successor: StandardVersionPage | None
    modules: list[ModuleSummary] = field(default_factory=list)

    @property
    def is_superseded(self) -> bool:
        return self.successor is not None

    @property
    def item_count(self) -> int:
        return sum(m.item_count for m in self.modules)


def _modules_of(version: StandardVersionPage) -> QuerySet[StandardModulePage]:
    return StandardModulePage.objects.live().child_of(version).order_by("number")


def version_overview(*, version: StandardVersionPage, request: Any = None) -> VersionOverview:
    """A version with its live modules and their item counts: three queries."""
    modules = _modules_of(version).annotate(item_count=Count("items"))
    base = version.get_url(request) or ""
    return VersionOverview(
        version=version,
        url=base,
        successor=version_successor(version),
        modules=[
            ModuleSummary(page=m, url=f"{base}{m.slug}/", item_count=m.item_count)
            for m in modules
        ],
    )


@dataclass
class IndexView:
    versions: list[StandardVersionPage]
    current: VersionOverview | None


def standard_index(*, index: StandardIndexPage, request: Any = None) -> IndexView:
    versions = list(versions_live(index=index))
    current = next((v for v in versions if not v.is_superseded), versions[0] if versions else None)
    return IndexView(
        versions=versions,
        current=version_overview(version=current, request=request) if current else None,
    )


# --- modules and items ----------------------------------------------------------------------


def item_permalink(version_url: str, code: str) -> str:
    """An item's permalink: depends only on the version's URL and the item's code, so it stays
    the same across edits."""
    slug = version_url.rstrip("/").rsplit("/", 1)[-1]
    return reverse("cms:item", kwargs={"version_slug": slug, "code": code})


@dataclass
class ItemView:
    item: StandardItem
    permalink: str


@dataclass
class ModuleDetail:
    module: StandardModulePage
    version: StandardVersionPage
    version_url: str
    successor: StandardVersionPage | None
    items: list[ItemView]
    siblings: list[ModuleSummary]

    @property
    def is_superseded(self) -> bool:
        return self.successor is not None


def module_detail(
    *, module: StandardModulePage, preview: bool = False, request: Any = None
) -> ModuleDetail:
    """A module, its items (the draft's when previewing) and its version: five queries."""
    version = StandardVersionPage.objects.parent_of(module).get()
    version_url = version.get_url(request) or ""
    items = list(module.items.all()) if preview else list(
        StandardItem.objects.filter(module=module).order_by("sort_order", "pk")
    )
    siblings = [
        ModuleSummary(page=m, url=f"{version_url}{m.slug}/", item_count=0)
        for m in _modules_of(version)
    ]
    return ModuleDetail(
        module=module,
        version=version,
        version_url=version_url,
        successor=version_successor(version),
        items=[ItemView(item=i, permalink=item_permalink(version_url, i.code)) for i in items],
        siblings=siblings,
    )


def _items_of_version(version: StandardVersionPage) -> QuerySet[StandardItem]:
    return StandardItem.objects.filter(
        module__live=True,
        module__path__startswith=version.path,
        module__depth=version.depth + 1,
    )


def version_items(*, version: StandardVersionPage) -> QuerySet[StandardItem]:
    """For other apps: the published items of `version` with their modules, in the standard's
    order (module number, then the items' order within it)."""
    return (_items_of_version(version).select_related("module")
            .order_by("module__number", "sort_order", "pk"))


def item_detail(*, version: StandardVersionPage, code: str) -> StandardItem | None:
    return _items_of_version(version).select_related("module").filter(code=code).first()


def item_get(*, version_code: str, code: str) -> StandardItem | None:
    """For other apps: the published item `code` of the version numbered `version_code`
    (e.g. "YD/T 2823-2015", or the version's slug)."""
    version = version_get(code_or_slug=version_code)
    return item_detail(version=version, code=code) if version else None


def item_version(item: StandardItem) -> StandardVersionPage:
    """The version an item belongs to (its module's parent)."""
    return StandardVersionPage.objects.parent_of(item.module).get()


def version_for_reference(*, code: str = "") -> StandardVersionPage | None:
    """The live version a reference names (its number, e.g. "YD/T 2823-2015", or its slug);
    the current version when the reference leaves it blank."""
    code = code.strip()
    return version_get(code_or_slug=code) if code else version_current()


def items_by_code(*, version: StandardVersionPage, codes: Iterable[str]) -> dict[str, StandardItem]:
    """The published items of `version` among `codes`, by code (module selected): one query."""
    wanted = {code.strip() for code in codes if code.strip()}
    if not wanted:
        return {}
    return {
        item.code: item
        for item in _items_of_version(version).select_related("module").filter(code__in=wanted)
    }


@dataclass(frozen=True)
class LocatedItem:
    """An item with its module and version, as other apps list what refers to it."""

    item: StandardItem
    version: StandardVersionPage
    permalink: str

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def module_number(self) -> int:
        return self.item.module.number


def item_url(*, version: StandardVersionPage, code: str) -> str:
    return reverse("cms:item", kwargs={"version_slug": version.slug, "code": code})


def items_located(*, ids: Iterable[int]) -> dict[int, LocatedItem]:
    """Items by id with their module and version, superseded versions included (an exam
    question keeps pointing at the item it was written for): two queries, whatever the count."""
    items = list(StandardItem.objects.filter(pk__in=set(ids)).select_related("module"))
    if not items:
        return {}
    steplen = StandardVersionPage.steplen
    versions = {
        v.path: v
        for v in StandardVersionPage.objects.filter(
            path__in={item.module.path[:-steplen] for item in items}
        )
    }
    located = {}
    for item in items:
        version = versions.get(item.module.path[:-steplen])
        if version is not None:
            located[item.pk] = LocatedItem(
                item=item, version=version, permalink=item_url(version=version, code=item.code)
            )
    return located


def items_referenced(*, ids: Iterable[int]) -> dict[int, list[str]]:
    """What keeps each item from being deleted: rows of other apps that refer to it with
    `on_delete=PROTECT` (exam questions, lessons, later review checklists). cms does not import
    those apps; it reads the relations their models declare. `{item id: ["questions: 2"]}`,
    one query per kind of reference."""
    wanted = {pk for pk in ids if pk}
    found: dict[int, list[str]] = {}
    if not wanted:
        return found
    for relation in StandardItem._meta.related_objects:
        if relation.on_delete is not models.PROTECT:
            continue
        name = relation.field.name
        rows = (
            relation.related_model._base_manager.filter(**{f"{name}__in": wanted})
            .values_list(name)
            .annotate(n=Count("pk"))
            .order_by()
        )
        label = relation.related_model._meta.verbose_name_plural
        for item_id, n in rows:
            found.setdefault(item_id, []).append(f"{label}: {n}")
    return found


def page_items_referenced(*, page: Any) -> dict[str, list[str]]:
    """`items_referenced` for every item of a page and the pages below it, by item code."""
    items = dict(StandardItem.objects.filter(module__path__startswith=page.path)
                 .values_list("pk", "code"))
    return {items[pk]: refs for pk, refs in items_referenced(ids=items).items()}


@dataclass
class VersionFull:
    overview: VersionOverview
    modules: list[tuple[StandardModulePage, list[ItemView]]]


def version_full(*, version: StandardVersionPage, request: Any = None) -> VersionFull:
    """Every module and item of a version (for the PDF and the API tree): four queries."""
    overview = version_overview(version=version, request=request)
    by_module: dict[int, list[ItemView]] = {m.page.pk: [] for m in overview.modules}
    for item in _items_of_version(version).order_by("module__number", "sort_order", "pk"):
        by_module.setdefault(item.module_id, []).append(
            ItemView(item=item, permalink=item_permalink(overview.url, item.code))
        )
    return VersionFull(
        overview=overview,
        modules=[(m.page, by_module.get(m.page.pk, [])) for m in overview.modules],
    )


# --- search ---------------------------------------------------------------------------------


@dataclass
class SearchHit:
    item: StandardItem
    version: StandardVersionPage
    permalink: str


def standard_search(
    *, query: str, version: StandardVersionPage | None = None, limit: int = 50
) -> list[SearchHit]:
    """Items whose code, title, requirement or guidance (Chinese or English) contain every
    word of the query, as a substring: Chinese has no spaces, so 次解决 finds 首次解决率.

    On PostgreSQL the `LIKE '%…%'` below is served by a pg_trgm GIN index on `search_text`
    (migration 0003); on SQLite it is a scan of one narrow column. An exact code comes first,
    then title matches, then the rest in the standard's order. Three queries.
    """
    terms = normalize_search_text(query).split()
    if not terms:
        return []
    versions = {v.path: v for v in versions_live()}
    if version is not None:
        versions = {p: v for p, v in versions.items() if v.pk == version.pk}
    if not versions:
        return []
    qs = StandardItem.objects.filter(module__live=True).select_related("module")
    scope = Q()
    for path in versions:
        scope |= Q(module__path__startswith=path)
    qs = qs.filter(scope)
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    phrase = " ".join(terms)
    qs = qs.annotate(
        rank=Case(
            When(code=phrase, then=Value(0)),
            When(Q(title__icontains=phrase) | Q(title_en__icontains=phrase), then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "module__number", "sort_order", "pk")
    steplen = StandardVersionPage.steplen
    hits = []
    urls: dict[int, str] = {}
    for item in qs[:limit]:
        found = versions.get(item.module.path[:-steplen])
        if found is None:
            continue
        if found.pk not in urls:
            urls[found.pk] = found.get_url() or ""
        hits.append(
            SearchHit(item=item, version=found, permalink=item_permalink(urls[found.pk], item.code))
        )
    return hits
