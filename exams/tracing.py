"""Questions and lessons traced to the standard's items (docs/exams.md, "Items").

Reads only: what the coverage page and an item's page show (/exams/manage/items/), and the
resolution of a reference as a file or a form writes it ("YD/T 2823-2015", "4.2.3") to a
published item, which the question import and the question form share. cms knows nothing of
questions or lessons: the tracing is read here, through cms's and lms's selectors, so the
imports keep their one direction (exams → lms → cms).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from cms.models import StandardItem, StandardModulePage, StandardVersionPage
from cms.selectors import (
    LocatedItem,
    items_by_code,
    items_located,
    version_for_reference,
    version_full,
    versions_live,
)
from lms.models import Lesson
from lms.selectors import lesson_counts_by_item, lessons_for_item

from .models import Question

# (version as written, blank for the current one; item code as written)
ItemReference = tuple[str, str]


@dataclass(frozen=True)
class ResolvedReference:
    """What a written reference names: an item, or why it names none."""

    version_text: str
    code: str
    version: StandardVersionPage | None
    item: StandardItem | None

    @property
    def column(self) -> str:
        """The column (or form field) at fault, when there is no item."""
        return "standard_version" if self.version is None and self.version_text else "item_code"

    @property
    def cell_message(self) -> str:
        """The problem after "row 7: column 'item_code' ", as the import says it."""
        if self.version is None and self.version_text:
            return _("names no published version of the standard: %(version)s") % {
                "version": self.version_text}
        if self.version is None:
            return _("%(code)s: no version of the standard is published yet") % {
                "code": self.code}
        return _("names no item of %(version)s: %(code)s") % {
            "version": self.version.code, "code": self.code}

    @property
    def sentence(self) -> str:
        """The same problem as a sentence, as a form shows it under the field."""
        if self.version is None and self.version_text:
            return _("No published version of the standard is numbered %(version)s.") % {
                "version": self.version_text}
        if self.version is None:
            return _("No version of the standard is published yet.")
        return _("%(version)s has no item %(code)s.") % {
            "version": self.version.code, "code": self.code}


def references_resolve(refs: Iterable[ItemReference]) -> dict[ItemReference, ResolvedReference]:
    """Each (version, code) reference with a code, resolved to a published item of that
    version (the current version when the version is blank). Two queries per version named,
    whatever the number of references."""
    wanted = {(version.strip(), code.strip()) for version, code in refs if code.strip()}
    resolved: dict[ItemReference, ResolvedReference] = {}
    for version_text in sorted({version for version, _code in wanted}):
        version = version_for_reference(code=version_text)
        codes = [code for v, code in wanted if v == version_text]
        items = items_by_code(version=version, codes=codes) if version is not None else {}
        for code in codes:
            resolved[(version_text, code)] = ResolvedReference(
                version_text=version_text, code=code, version=version, item=items.get(code))
    return resolved


def reference_resolve(*, version_text: str, code: str) -> ResolvedReference | None:
    """One reference (the question form); None when the code is blank (no item)."""
    key = (version_text.strip(), code.strip())
    return references_resolve([key]).get(key)


# --- the coverage page: per module, the items no question covers yet -------------------------


def _covering_questions_q() -> Q:
    """A question covers its item when it can be drawn: in use, not voided, with a text."""
    return Q(is_active=True, voided_at__isnull=True, current_version__isnull=False)


@dataclass
class CoveredItem:
    item: StandardItem
    permalink: str
    questions: int
    lessons: int


@dataclass
class ModuleCoverage:
    module: StandardModulePage
    items: list[CoveredItem]

    @property
    def covered(self) -> list[CoveredItem]:
        return [i for i in self.items if i.questions]

    @property
    def uncovered(self) -> list[CoveredItem]:
        return [i for i in self.items if not i.questions]


@dataclass
class Coverage:
    version: StandardVersionPage
    versions: list[StandardVersionPage]
    modules: list[ModuleCoverage]
    # Questions in use that trace to no item, and those the migration could not match.
    untraced_count: int
    unmatched: list[Question] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(len(m.items) for m in self.modules)

    @property
    def covered_count(self) -> int:
        return sum(len(m.covered) for m in self.modules)


def item_coverage(*, version_slug: str = "") -> Coverage | None:
    """The items of a version (the current one unless `version_slug` names another) with the
    questions and lessons that trace to each; None when no version is published. A fixed number
    of queries, whatever the number of items or questions."""
    versions = list(versions_live())
    version = next((v for v in versions if version_slug and v.slug == version_slug), None)
    if version is None:
        version = next((v for v in versions if not v.is_superseded),
                       versions[0] if versions else None)
    if version is None:
        return None
    full = version_full(version=version)
    ids = [view.item.pk for _module, views in full.modules for view in views]
    questions = dict(
        Question.objects.filter(_covering_questions_q(), item_id__in=ids)
        .values_list("item_id").annotate(n=Count("id")).order_by()
    )
    lessons = lesson_counts_by_item(item_ids=ids)
    modules = [
        ModuleCoverage(module=module, items=[
            CoveredItem(item=view.item, permalink=view.permalink,
                        questions=questions.get(view.item.pk, 0),
                        lessons=lessons.get(view.item.pk, 0))
            for view in views
        ])
        for module, views in full.modules
    ]
    return Coverage(
        version=version,
        versions=versions,
        modules=modules,
        untraced_count=Question.objects.filter(_covering_questions_q(), item__isnull=True).count(),
        unmatched=list(
            Question.objects.filter(item__isnull=True)
            .exclude(legacy_item_code="", legacy_standard_version="")
            .order_by("module_number", "code")
        ),
    )


# --- an item's page: the questions and lessons that trace to it -----------------------------


@dataclass
class ItemTrace:
    located: LocatedItem
    questions: list[Question]
    lessons: list[Lesson]

    @property
    def covering(self) -> list[Question]:
        return [q for q in self.questions
                if q.is_active and q.voided_at is None and q.current_version_id]


def item_trace(*, item_id: int) -> ItemTrace | None:
    """An item (any version) with every question and lesson that refers to it: four queries."""
    located = items_located(ids=[item_id]).get(item_id)
    if located is None:
        return None
    return ItemTrace(
        located=located,
        questions=list(
            Question.objects.filter(item_id=item_id).select_related("current_version")
            .order_by("-is_active", "code")
        ),
        lessons=lessons_for_item(item_id=item_id),
    )
