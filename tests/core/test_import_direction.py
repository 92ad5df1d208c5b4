"""The apps import one way (docs/architecture.md): reviews → certification → exams → lms → cms →
accounts → core. An app imports only apps to its right; what must flow back (a pass becomes a
credential) goes through a signal or a task. Read from the source with `ast`, lazy imports inside
functions included, imports under `if TYPE_CHECKING:` (types only) left out."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
# From the bottom up: each app may import those before it.
LAYERS = ["core", "accounts", "cms", "lms", "exams", "certification", "reviews"]
# The upward imports there are, each read at call time and named in docs/architecture.md.
KNOWN_UPWARD = {
    ("core/api.py", "accounts.selectors"),  # GET /api/v1/me answers with the user's roles
    ("cms/templatetags/cms_tags.py", "lms.selectors"),  # the home page lists upcoming cohorts
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_modules(tree: ast.AST) -> list[str]:
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def upward_imports() -> set[tuple[str, str]]:
    """(file, module) for each import of an app above the file's own."""
    rank = {app: n for n, app in enumerate(LAYERS)}
    upward = set()
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text("utf-8"), filename=str(path))
            for module in _imported_modules(tree):
                top = module.split(".")[0]
                if top in rank and rank[top] > rank[app]:
                    upward.add((path.relative_to(ROOT).as_posix(), module))
    return upward


def test_every_app_has_its_place_in_the_layers():
    assert set(settings.PROJECT_APPS) <= set(LAYERS)


def test_no_app_imports_an_app_above_it():
    assert upward_imports() - KNOWN_UPWARD == set()


def test_the_known_upward_imports_are_still_there():
    """When one goes, it leaves this list (and docs/architecture.md)."""
    assert upward_imports() >= KNOWN_UPWARD


def test_the_check_sees_a_lazy_import_and_ignores_one_for_types_only():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from exams.models import Exam\n"
        "def f():\n    from certification import services\n"
    )
    assert _imported_modules(tree) == ["typing", "certification"]
