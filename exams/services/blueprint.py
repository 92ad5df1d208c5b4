"""Blueprints: whether the bank can fill one, and drawing a paper by it."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from ..errors import BlueprintUnfillable
from ..models import MODULE_LABELS, Exam, Question, QuestionKind, QuestionVersion

paper_random = secrets.SystemRandom()


def _available_counts() -> dict[tuple[int, str], int]:
    rows = _drawable().values_list("module_number", "kind").annotate(n=Count("id"))
    return {(module, kind): n for module, kind, n in rows}


def _drawable() -> QuerySet[Question]:
    """The questions a paper may hold: active, not voided, with a version to show."""
    return Question.objects.filter(is_active=True, voided_at__isnull=True,
                                   current_version__isnull=False)


def blueprint_check(*, rules: list[tuple[int, str, int]],
                    available: dict[tuple[int, str], int] | None = None) -> None:
    """Raise BlueprintUnfillable naming each module the active bank cannot fill.

    `rules` are (module_number, kind or "" for any type, count); `available` counts the bank's
    drawable questions by (module, kind) when the caller has already read them."""
    if available is None:
        available = _available_counts()
    problems = []
    for module in sorted({m for m, _k, _c in rules}):
        module_rules = [(k, c) for m, k, c in rules if m == module]
        have = {k: n for (m, k), n in available.items() if m == module}
        short = []
        for kind, count in module_rules:
            if kind and have.get(kind, 0) < count:
                short.append(
                    _("%(kind)s: needs %(need)d, the bank has %(have)d")
                    % {"kind": QuestionKind(kind).label, "need": count, "have": have.get(kind, 0)}
                )
        need_total = sum(c for _k, c in module_rules)
        have_total = sum(have.values())
        if not short and need_total > have_total:
            short.append(
                _("needs %(need)d questions in all, the bank has %(have)d")
                % {"need": need_total, "have": have_total}
            )
        if short:
            problems.append(
                _("Module %(n)d (%(name)s) lacks questions: %(detail)s")
                % {"n": module, "name": MODULE_LABELS[module], "detail": "; ".join(short)}
            )
    if problems:
        raise BlueprintUnfillable(problems)


def _exam_rules(exam: Exam) -> list[tuple[int, str, int]]:
    return [(r.module_number, r.kind, r.count) for r in exam.blueprint.all()]


@dataclass
class _PoolQuestion:
    pk: int
    module_number: int
    kind: str
    version_id: int


def paper_draw(exam: Exam) -> tuple[list[_PoolQuestion], dict[int, QuestionVersion]]:
    """Draw questions by the blueprint: typed rules first, then 'any type' from what is left.

    Returns the paper in order and the chosen questions' current versions by id. This runs on
    every start, so the pool is read as plain values without its texts (they grow with the
    bank), the blueprint check counts that same read, and only the drawn versions are loaded."""
    rules = sorted(_exam_rules(exam), key=lambda r: (r[1] == "", r[0]))
    if not rules:
        raise BlueprintUnfillable(_("This exam has no blueprint yet."))
    pool = [
        _PoolQuestion(*row)
        for row in _drawable().filter(module_number__in={r[0] for r in rules})
        .values_list("pk", "module_number", "kind", "current_version_id")
    ]
    blueprint_check(rules=rules,
                    available=Counter((q.module_number, q.kind) for q in pool))
    chosen: list[_PoolQuestion] = []
    taken: set[int] = set()
    for module, kind, count in rules:
        candidates = [
            q for q in pool
            if q.module_number == module and q.pk not in taken and (not kind or q.kind == kind)
        ]
        picked = paper_random.sample(candidates, count)
        taken.update(q.pk for q in picked)
        chosen.extend(picked)
    paper_random.shuffle(chosen)
    versions = QuestionVersion.objects.only("pk", "text", "options").order_by().in_bulk(
        [q.version_id for q in chosen])
    return chosen, versions
