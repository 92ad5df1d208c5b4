"""The home page lists upcoming cohorts read live from lms (no copy kept in cms)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _cohort(course, code: str, title: str, starts_in_days: int, status: str = "published"):
    from lms.models import Cohort

    day_1 = timezone.localdate() + datetime.timedelta(days=starts_in_days)
    return Cohort.objects.create(
        course=course, code=code, title=title, status=status, day_1=day_1,
        day_2=day_1 + datetime.timedelta(days=1), day_3=day_1 + datetime.timedelta(days=2),
        venue="北京市海淀区示例路1号", capacity=20, price=Decimal("6800.00"),
        enrolment_deadline=timezone.now() + datetime.timedelta(days=starts_in_days - 1),
    )


def test_home_page_lists_upcoming_cohorts_from_lms(client, home_page):
    from lms.models import Course

    course = Course.objects.create(code="coordinator", title="注册协调员培训",
                                   title_en="Registered coordinator course", price=Decimal("6800"))
    _cohort(course, "2027-01-bj", "2027年1月 北京班", 40)
    _cohort(course, "2026-12-sh", "2026年12月 上海班", 20)
    _cohort(course, "draft-gz", "广州班（草稿）", 30, status="draft")

    body = re.sub(r"\s+", " ", client.get("/").content.decode())
    assert "近期培训班次" in body
    titles = re.findall(r'<li class="card cms-cohort"><strong><a href="[^"]+">([^<]+)</a>', body)
    assert titles == ["2026年12月 上海班", "2027年1月 北京班"]
    assert 'href="/training/cohorts/2026-12-sh/"' in body
    assert "广州班" not in body

    # cohorts are read live: a change in lms shows on the next visit
    _cohort(course, "2026-12-sz", "2026年12月 深圳班", 10)
    assert "2026年12月 深圳班" in client.get("/").content.decode()
