"""Demo content: the coordinator course, an upcoming cohort, and a past cohort in which the demo
trainee has completed all three days (so the exams demo has an eligible candidate)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_user
from accounts.roles import CANDIDATE
from accounts.services import user_role_grant
from core.services import audit_record

from .models import Attendance, Cohort, Course, Enrolment, Lesson, Payment
from .selectors import lesson_items_resolve

COURSE_CODE = "ccso-coordinator"
PRICE = Decimal("6800.00")

LESSONS = [
    (1, "planning-overview", "规划及发展方向：战略与年度计划（示例）",
     "Planning and development direction (sample)", "4.1.1, 4.1.2",
     "本课为示例内容，说明呼叫中心如何制定战略方针、战略规划和年度经营计划。\n\n"
     "学员应能说明战略规划与年度计划之间的关系，以及高层领导支持的证据形式。"),
    (2, "people-recruiting", "人员管理：招聘与培训（示例）", "People management (sample)",
     "5.2.1, 5.3.1",
     "本课为示例内容，介绍招聘流程、岗前培训和知识技能评估的要求。\n\n"
     "评审时需准备的证据包括文件、过程记录和访谈记录。"),
    (3, "floor-forecasting", "现场管理：预测与排班（示例）", "On-site management (sample)",
     "6.1.1",
     "本课为示例内容，讲解话务预测、排班和现场调度的基本方法。"),
]


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _deadline(day_1: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day_1, datetime.time(0, 0))) - (
        datetime.timedelta(days=3)
    )


def _cohort(course: Course, *, code: str, days_from_today: int, title: str,
            **place: object) -> Cohort:
    """A published three-day cohort starting `days_from_today`; `title` formats its first day."""
    day_1 = _day(days_from_today)
    cohort, _ = Cohort.objects.get_or_create(
        code=code,
        defaults={
            "course": course, "title": title.format(day_1), "status": Cohort.Status.PUBLISHED,
            "day_1": day_1, "day_2": day_1 + datetime.timedelta(days=1),
            "day_3": day_1 + datetime.timedelta(days=2), "price": PRICE,
            "enrolment_deadline": _deadline(day_1), **place,
        },
    )
    return cohort


@transaction.atomic
def load(stdout: TextIO) -> None:
    course, _ = Course.objects.get_or_create(
        code=COURSE_CODE,
        defaults={
            "title": "CCSO 注册协调员培训",
            "title_en": "CCSO registered-coordinator training",
            "description": "三天课程，讲解 YD/T 2823-2015《呼叫中心服务质量和运营管理规范》"
                           "的九个模块及评审方法。费用含考试和证书。",
            "description_en": "Three days on the nine modules of YD/T 2823-2015 and how a review "
                              "works. Exam and certificate included.",
            "price": PRICE,
        },
    )
    upcoming = _cohort(
        course, code="demo-upcoming", days_from_today=21, title="{:%Y年%m月} 北京班",
        venue="北京市海淀区中关村示例培训中心 3 层", capacity=30,
        cancellation_policy="不能参加的学员可改由同单位同事参加，请在开课前 3 个工作日告知。",
    )
    online = _cohort(course, code="demo-online", days_from_today=49, title="{:%Y年%m月} 线上班",
                     online_url="https://meeting.example.cn/ccso-demo", capacity=50)
    past = _cohort(course, code="demo-past", days_from_today=-30, title="{:%Y年%m月} 上海班",
                   venue="上海市浦东新区示例路 88 号", capacity=30)
    current = _cohort(course, code="demo-current", days_from_today=-2,
                      title="{:%Y年%m月} 广州班（进行中）", venue="广州市天河区示例大厦 12 层",
                      capacity=25)
    trainee = demo_user("trainee@demo.ccso")
    staff = demo_user("courses@demo.ccso")
    # trainee2 is confirmed in the running cohort: mark their three days on the roster.
    trainee2 = demo_user("trainee2@demo.ccso")
    running = Enrolment.objects.filter(cohort=current, user=trainee2).first()
    if running is None:
        now = timezone.now()
        running = Enrolment.objects.create(
            cohort=current, user=trainee2, state=Enrolment.State.CONFIRMED, price=PRICE,
            reference="CCDEMO0002", confirmed_at=now,
        )
        Payment.objects.create(
            enrolment=running, provider="stripe", method="alipay", amount=PRICE,
            state=Payment.State.CONFIRMED, provider_reference="cs_demo_0002",
            provider_payment_id="pi_demo_0002", confirmed_at=now,
        )
    enrolment = Enrolment.objects.filter(cohort=past, user=trainee).first()
    if enrolment is None:
        now = timezone.now()
        enrolment = Enrolment.objects.create(
            cohort=past, user=trainee, state=Enrolment.State.COMPLETED, price=PRICE,
            reference="CCDEMO0001", confirmed_at=now, completed_at=now,
        )
        Payment.objects.create(
            enrolment=enrolment, provider="bank_transfer", method="bank", amount=PRICE,
            state=Payment.State.CONFIRMED, provider_reference=enrolment.reference,
            confirmed_at=now, confirmed_by=staff, amount_received=PRICE,
            received_on=timezone.localdate(now),
        )
        for day in (1, 2, 3):
            Attendance.objects.create(enrolment=enrolment, day=day, present=True, marked_by=staff)
        audit_record(actor=None, action="lms.enrolment.completed", target=enrolment,
                     reason="demo data")
    user_role_grant(user=trainee, role=CANDIDATE, granted_by=None, reason="demo data")
    for module, slug, title, title_en, codes, body in LESSONS:
        lesson, created = Lesson.objects.get_or_create(
            course=course, slug=slug,
            defaults={"module": module, "title": title, "title_en": title_en, "body": body},
        )
        if created:
            items, _unknown, _version = lesson_items_resolve(
                lesson=None, codes=[code.strip() for code in codes.split(",")])
            lesson.items.set(items)
    stdout.write(f"lms: course 「{course.title}」 ¥{course.price} (code {course.code})")
    for cohort in (upcoming, online, current, past):
        stdout.write(f"  cohort {cohort.code:<14} {cohort.day_1} – {cohort.day_3} "
                     f"capacity {cohort.capacity}  /training/cohorts/{cohort.code}/")
    stdout.write(f"  {trainee.email}: enrolment {enrolment.reference} in {past.code} "
                 f"{enrolment.get_state_display()} (3/3 days), exam-eligible")
    stdout.write(f"  {trainee2.email}: enrolment {running.reference} in {current.code} "
                 f"{running.get_state_display()}: mark attendance at "
                 f"/training/staff/cohorts/{current.code}/")
    stdout.write(f"  {len(LESSONS)} sample lessons at /training/courses/{course.code}/material/; "
                 "staff: /training/staff/ (courses@demo.ccso)")
