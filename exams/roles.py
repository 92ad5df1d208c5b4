"""Permissions the exams app gives each role (synced into role groups after every migrate)."""

from __future__ import annotations

from accounts.roles import CONTENT_EDITOR, EXAM_ADMIN

_MODELS = ["question", "questionversion", "exam", "blueprintrule", "sitting"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    EXAM_ADMIN: [
        *[f"exams.{action}_{model}" for model in _MODELS for action in ("view", "add", "change")],
        "exams.view_attempt",
        "exams.view_attemptquestion",
        "exams.view_attemptevent",
        "exams.view_accommodation",
        "exams.add_accommodation",
        "exams.view_appeal",
        "exams.change_appeal",
        "exams.import_questions",
        "exams.void_question",
        "exams.view_exam_statistics",
        "exams.view_item_tracing",
    ],
    # The standard's editors see what traces to each item (/exams/manage/items/, linked from
    # the Wagtail menu by exams/wagtail_hooks.py).
    CONTENT_EDITOR: ["exams.view_item_tracing"],
}
