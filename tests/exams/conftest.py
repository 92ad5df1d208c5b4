"""Exams fixtures: a course, completed enrolments, a small question bank and an exam."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from exams.models import BlueprintRule, Exam, Question, QuestionKind, Sitting
from exams.services import question_save

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _english_messages() -> Any:
    """Service-level messages are asserted in their English source; pages (through the locale
    middleware) render Chinese, which the page tests check."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def standard(home_page: Any) -> Any:
    """YD/T 2823-2015 as editors import it: 9 modules × 3 items (4.1.1–4.1.3 for module 1 …
    12.1.1–12.1.3 for module 9); returns the version page."""
    from cms.importing import standard_import
    from cms.models import StandardVersionPage
    from tests.cms.conftest import standard_data

    standard_import(data=standard_data())
    return StandardVersionPage.objects.get(code="YD/T 2823-2015")


@pytest.fixture
def course(db: None) -> Any:
    from lms.models import Course

    return Course.objects.create(code=f"course-{next(_n)}", title="CCSO 注册协调员培训",
                                 price=Decimal("3800.00"))


@pytest.fixture
def complete_course(course: Any) -> Callable[..., Any]:
    """Mark a person's enrolment in `course` completed (what lms does after day 3)."""
    from lms.models import Cohort, Enrolment

    def make(user: Any, for_course: Any = None) -> Any:
        n = next(_n)
        the_course = for_course or course
        today = timezone.localdate()
        cohort = Cohort.objects.create(
            course=the_course, code=f"cohort-{n}", title=f"第{n}期", day_1=today - timedelta(days=5),
            day_2=today - timedelta(days=4), day_3=today - timedelta(days=3), capacity=30,
            price=the_course.price, enrolment_deadline=timezone.now() - timedelta(days=6),
        )
        return Enrolment.objects.create(
            cohort=cohort, user=user, state=Enrolment.State.COMPLETED, price=the_course.price,
            reference=f"REF{n:08d}", completed_at=timezone.now(),
        )

    return make


@pytest.fixture
def question_factory(db: None) -> Callable[..., Question]:
    """`question_factory(module=1, kind="single", correct=["A"])` with Chinese text."""

    def make(*, module: int = 1, kind: str = QuestionKind.SINGLE, correct: list[str] | None = None,
             options: int = 4, **extra: Any) -> Question:
        n = next(_n)
        if kind == QuestionKind.TRUE_FALSE:
            opts = [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]
        else:
            opts = [{"key": k, "text": f"选项{k}-{n}"} for k in "ABCDEF"[:options]]
        question, _changed = question_save(
            code=extra.pop("code", f"T-{n:04d}"), module_number=module, kind=kind,
            text=extra.pop("text", f"第{n}题：以下哪项符合规范要求？"), options=opts,
            correct_keys=correct or (["A", "C"] if kind == QuestionKind.MULTIPLE else ["A"]),
            explanation=extra.pop("explanation", f"解析{n}：秘密解析文本"), **extra,
        )
        return question

    return make


@pytest.fixture
def exam_factory(course: Any, question_factory: Callable[..., Question]) -> Callable[..., Exam]:
    """An open, published exam; `per_module={1: 3}` fills the bank and the blueprint."""

    def make(*, per_module: dict[int, int] | None = None, bank_extra: int = 0,
             kind: str = QuestionKind.SINGLE, open_window: bool = True, **fields: Any) -> Exam:
        per_module = per_module or {1: 2, 2: 2}
        fields.setdefault("course", course)
        fields.setdefault("title", f"考试{next(_n)}")
        fields.setdefault("is_published", True)
        fields.setdefault("retake_wait_hours", 0)
        exam = Exam.objects.create(**fields)
        for module, count in per_module.items():
            for _i in range(count + bank_extra):
                question_factory(module=module, kind=kind)
            BlueprintRule.objects.create(exam=exam, module_number=module, count=count)
        now = timezone.now()
        if open_window:
            Sitting.objects.create(exam=exam, starts_at=now - timedelta(hours=1),
                                   ends_at=now + timedelta(days=1))
        return exam

    return make


@pytest.fixture
def candidate(user_factory: Callable[..., Any], complete_course: Callable[..., Any]) -> Any:
    person = user_factory(roles=["candidate"])
    complete_course(person)
    return person

