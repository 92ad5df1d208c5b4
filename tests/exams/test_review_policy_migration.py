"""Migration 0002: existing exams get the default review policy (score and module breakdown
until the sitting closes); one that had its review switched off shows no right/wrong or key
after the close either."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("exams", "0001_initial")]
AFTER = [("exams", "0002_exam_review_policy")]


@pytest.mark.django_db(transaction=True)
def test_existing_exams_get_the_default_policy_and_keep_a_hidden_review_hidden():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    course = old.get_model("lms", "Course").objects.create(code="c-mig", title="课程",
                                                           price=Decimal("1.00"))
    exam_model = old.get_model("exams", "Exam")
    shown = exam_model.objects.create(course_id=course.pk, title="显示解析", show_review=True)
    hidden = exam_model.objects.create(course_id=course.pk, title="不显示", show_review=False)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from exams.models import Exam

    fields = ["review_score_after_attempt", "review_modules_after_attempt",
              "review_marks_after_attempt", "review_key_after_attempt",
              "review_score_after_close", "review_modules_after_close",
              "review_marks_after_close", "review_key_after_close"]
    policy = {e.pk: [getattr(e, f) for f in fields] for e in Exam.objects.all()}
    assert policy[shown.pk] == [True, True, False, False, True, True, True, True]
    assert policy[hidden.pk] == [True, True, False, False, True, True, False, False]
