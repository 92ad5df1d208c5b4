"""`make run` loads the demo content: it must work on a fresh database, print the logins, and
change nothing when run again."""

from __future__ import annotations

from io import StringIO

from django.apps import apps
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from exams.models import Exam
from exams.services import eligibility


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "cms", "lms", "exams", "certification", "reviews",
                                     "wagtailcore"}
    }


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_demo_loads_once_and_a_second_run_changes_nothing(db):
    first = _load()
    counts = _row_counts()
    second = _load()

    assert _row_counts() == counts
    assert "trainee@demo.ccso" in first and "ccso-demo-2026" in first
    assert "Demo content is ready." in second
    assert mail.outbox == []
    assert counts["cms.StandardItem"] >= 9 * 20
    assert counts["exams.Question"] >= 150


def test_the_demo_trainee_may_sit_the_demo_exam(db):
    _load()
    trainee = User.objects.get(email="trainee@demo.ccso")
    exam = Exam.objects.get(is_published=True)

    assert eligibility(exam=exam, user=trainee).ok


def test_the_demo_cohort_states_its_refund_rule_once(db, client):
    _load()
    page = client.get("/training/cohorts/demo-upcoming/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = page.content.decode()
    assert body.count("全额退款") == 1 and body.count("不退款") == 1


def test_the_demo_questions_and_lessons_trace_to_items_of_the_sample_standard(db):
    from exams.tracing import item_coverage
    from lms.models import Lesson

    _load()
    coverage = item_coverage()
    assert coverage is not None and coverage.version.code == "YD/T 2823-2015"
    assert [len(m.covered) for m in coverage.modules] == [11] * 9
    assert coverage.untraced_count == 0 and coverage.unmatched == []
    assert all(lesson.items.exists() for lesson in Lesson.objects.all())
