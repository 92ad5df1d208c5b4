"""Staff dashboard, course material, reminders, the personal panel, the API and the demo."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core import mail

from cms.importing import standard_import
from cms.models import StandardItem
from lms import services
from lms.models import Attendance, Enrolment, Lesson, Payment
from tests.cms.conftest import standard_data


def test_staff_dashboard_shows_seats_revenue_method_split_and_attendance(
    client, user_factory, cohort_factory, enrolment_factory
):
    cohort = cohort_factory(capacity=10, starts_in_days=-5)
    for method in ("alipay", "card"):
        e = enrolment_factory(cohort=cohort, state=Enrolment.State.CONFIRMED)
        Payment.objects.create(enrolment=e, provider="stripe", method=method, amount=e.price,
                               state=Payment.State.CONFIRMED, provider_reference=f"cs_{method}")
        Attendance.objects.create(enrolment=e, day=1, present=True)
    refunded = enrolment_factory(cohort=cohort, state=Enrolment.State.REFUNDED)
    Payment.objects.create(enrolment=refunded, provider="bank_transfer", method="bank",
                           amount=refunded.price, refunded_amount=Decimal("3400.00"),
                           state=Payment.State.PARTIALLY_REFUNDED, provider_reference="B1")
    enrolment_factory(cohort=cohort, state=Enrolment.State.PENDING_PAYMENT)
    client.force_login(user_factory(roles=["course_admin"]))

    response = client.get("/training/staff/")

    row = response.context["rows"][0]
    assert (row["sold"], row["held"], row["free"]) == (2, 1, 7)
    assert row["revenue"] == Decimal("17000.00")
    assert {m["method"]: m["count"] for m in row["split"]} == {
        "支付宝": 1, "银行卡": 1, "对公转账": 1}
    assert (row["attendance_present"], row["attendance_possible"]) == (2, 6)
    page = response.content.decode()
    assert "¥17000.00" in page and 'data-testid="method-chart"' in page


def test_dashboard_is_for_course_admins_only(client, user_factory):
    client.force_login(user_factory(roles=["trainee"]))
    assert client.get("/training/staff/").status_code == 403
    client.logout()
    assert client.get("/training/staff/").status_code == 302


def test_course_material_only_for_confirmed_trainees_and_links_to_the_standard(
    client, cohort_factory, enrolment_factory, user_factory, home_page
):
    cohort = cohort_factory()
    standard_import(data=standard_data())
    lesson = Lesson.objects.create(course=cohort.course, module=1, slug="planning",
                                   title="战略规划", body="第一段。\n\n第二段。",
                                   legacy_standard_items="4.9.9")
    lesson.items.set(StandardItem.objects.filter(code__in=["4.1.1", "4.1.2"]))
    url = f"/training/courses/{cohort.course.code}/material/planning/"
    outsider = user_factory()
    client.force_login(outsider)
    assert "仅向已确认报名的学员开放" in client.get(url, follow=True).content.decode()
    pending = enrolment_factory(cohort=cohort, user=outsider,
                                state=Enrolment.State.PENDING_PAYMENT)
    assert client.get(url).status_code == 302

    Enrolment.objects.filter(pk=pending.pk).update(state=Enrolment.State.CONFIRMED)
    page = client.get(url).content.decode()
    assert "战略规划" in page and "<p>第二段。</p>" in page
    assert '<a href="/standard/yd-t-2823-2015/items/4.1.1/">4.1.1</a>' in page
    assert '<a href="/standard/yd-t-2823-2015/items/4.1.2/">4.1.2</a>' in page
    assert "<li>4.9.9</li>" in page  # kept as written by the migration, without a link
    index = client.get(f"/training/courses/{cohort.course.code}/material/").content.decode()
    assert "模块 1" in index


def test_reminder_before_day_one_is_sent_once(
    cohort_factory, enrolment_factory, django_capture_on_commit_callbacks
):
    soon = enrolment_factory(cohort=cohort_factory(starts_in_days=2),
                             state=Enrolment.State.CONFIRMED)
    enrolment_factory(cohort=cohort_factory(starts_in_days=20), state=Enrolment.State.CONFIRMED)
    enrolment_factory(cohort=cohort_factory(starts_in_days=1),
                      state=Enrolment.State.PENDING_PAYMENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0
    assert [m.to for m in mail.outbox] == [[soon.user.email]]
    assert mail.outbox[0].subject.startswith("提醒")


def test_personal_dashboard_panel_lists_my_enrolments(client, enrolment_factory):
    enrolment = enrolment_factory(state=Enrolment.State.CONFIRMED)
    client.force_login(enrolment.user)
    page = client.get("/me/").content.decode()
    assert "我的培训" in page and enrolment.cohort.title in page


def test_api_cohorts_enrol_my_enrolments_and_checkout(client, cohort_factory, user_factory):
    cohort = cohort_factory(capacity=2)
    listing = client.get("/api/v1/lms/cohorts").json()
    assert [(c["code"], c["seats_left"], c["price"]) for c in listing] == [
        (cohort.code, 2, "6800.00")]
    assert client.get(f"/api/v1/lms/cohorts/{cohort.code}").json()["course"]["title"]
    assert client.get("/api/v1/lms/cohorts/nope").status_code == 404
    assert client.post(f"/api/v1/lms/cohorts/{cohort.code}/enrol", {},
                       content_type="application/json").status_code == 401

    trainee = user_factory()
    client.force_login(trainee)
    created = client.post(f"/api/v1/lms/cohorts/{cohort.code}/enrol", {},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["state"] == "pending_payment"
    again = client.post(f"/api/v1/lms/cohorts/{cohort.code}/enrol", {},
                        content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "duplicate"
    reference = created.json()["reference"]
    assert [e["reference"] for e in client.get("/api/v1/lms/enrolments").json()] == [reference]

    checkout = client.post(
        f"/api/v1/lms/enrolments/{reference}/checkout",
        {"provider": "bank_transfer", "fapiao": {
            "company_name": "示例公司", "taxpayer_id": "91350100M000100Y43",
            "address": "北京", "bank": "工商银行 123"}},
        content_type="application/json",
    )
    assert checkout.status_code == 200
    assert checkout.json()["instructions"]["reference"] == reference
    assert checkout.json()["instructions"]["amount"] == "6800.00"
    stripe = client.post(f"/api/v1/lms/enrolments/{reference}/checkout", {"provider": "stripe"},
                         content_type="application/json")
    assert stripe.status_code == 400  # no Stripe keys in this test


def test_demo_loader_is_idempotent_and_makes_an_exam_eligible_trainee(db):
    from accounts import demo as accounts_demo
    from lms import demo
    from lms.models import Cohort, Course
    from lms.selectors import cohorts_upcoming, course_completed

    accounts_demo.load(io.StringIO())
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    course = Course.objects.get(title="CCSO 注册协调员培训")
    assert course.price == Decimal("6800.00")
    assert Cohort.objects.count() == 4
    assert cohorts_upcoming().filter(course=course).exists()
    trainee = accounts_demo.demo_user("trainee@demo.ccso")
    assert course_completed(user=trainee, course_id=course.pk)
    assert Enrolment.objects.get(user=trainee).attendances.filter(present=True).count() == 3
    assert "CCSO 注册协调员培训" in out.getvalue()


def test_staff_pages_and_cohort_list_use_a_fixed_number_of_queries(
    client, user_factory, cohort_factory, enrolment_factory, django_assert_max_num_queries
):
    admin = user_factory(roles=["course_admin"])
    cohorts = [cohort_factory(starts_in_days=-1 if n == 0 else 10 + n, capacity=30)
               for n in range(6)]
    for cohort in cohorts:
        for _ in range(5):
            e = enrolment_factory(cohort=cohort, state=Enrolment.State.CONFIRMED)
            Payment.objects.create(enrolment=e, provider="stripe", method="card",
                                   amount=e.price, state=Payment.State.CONFIRMED,
                                   provider_reference=f"cs_{e.reference}")
            Attendance.objects.create(enrolment=e, day=1, present=True)
    client.force_login(admin)
    # 6 cohorts × 5 trainees: the counts below do not grow with either number.
    with django_assert_max_num_queries(16):
        assert client.get("/training/staff/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/training/staff/cohorts/{cohorts[0].code}/").status_code == 200
    # (Each seat read runs the hold sweep first, two queries when nothing is due; the account
    # menu asks once which staff tools the person has.)
    with django_assert_max_num_queries(13):
        assert client.get("/training/").status_code == 200


def test_lesson_editing_keeps_items_by_key_and_refuses_unknown_codes(
    client, user_factory, cohort_factory, home_page
):
    standard_import(data=standard_data())
    course = cohort_factory().course
    lesson = Lesson.objects.create(course=course, module=1, slug="planning", title="战略规划",
                                   body="正文")
    staff = user_factory(roles=["course_admin"], is_staff=True)
    client.force_login(staff)
    url = f"/django-admin/lms/lesson/{lesson.pk}/change/"
    fields = {"course": course.pk, "module": 1, "position": 0, "slug": "planning",
              "title": "战略规划", "title_en": "", "body": "正文", "is_published": "on",
              "legacy_standard_items": ""}
    body = client.post(url, {**fields, "item_codes": "4.1.1, 4.9.9"}).content.decode()
    assert "YD/T 2823-2015 没有条目 4.9.9。" in body
    assert not lesson.items.exists()
    assert client.post(url, {**fields, "item_codes": "4.1.2，4.1.1"}).status_code == 302
    assert set(lesson.items.values_list("code", flat=True)) == {"4.1.1", "4.1.2"}
    # A new version of the standard: the lesson keeps the 2015 items it names.
    standard_import(data=standard_data(code="YD/T 2823-2020", supersedes="YD/T 2823-2015",
                                       effective_on="2020-07-01"))
    old_items = set(lesson.items.all())
    assert client.post(url, {**fields, "item_codes": "4.1.1, 4.1.2"}).status_code == 302
    assert set(lesson.items.all()) == old_items
    assert "4.1.1, 4.1.2" in client.get(url).content.decode()


def test_lessons_edited_inline_on_their_course_keep_their_items(cohort_factory, home_page):
    from django.forms import inlineformset_factory

    from lms.admin import LessonInline
    from lms.forms import LessonForm
    from lms.models import Course

    standard_import(data=standard_data())
    course = cohort_factory().course
    lesson = Lesson.objects.create(course=course, module=2, slug="people", title="人员管理",
                                   body="正文")
    formset_class = inlineformset_factory(Course, Lesson, form=LessonForm,
                                          fields=list(LessonInline.fields), extra=0)
    data = {"lessons-TOTAL_FORMS": 1, "lessons-INITIAL_FORMS": 1, "lessons-0-id": lesson.pk,
            "lessons-0-course": course.pk, "lessons-0-module": 2, "lessons-0-position": 0,
            "lessons-0-slug": "people", "lessons-0-title": "人员管理",
            "lessons-0-is_published": "on"}
    refused = formset_class({**data, "lessons-0-item_codes": "5.1.9"}, instance=course)
    assert not refused.is_valid()
    assert "YD/T 2823-2015 没有条目 5.1.9。" in str(refused.errors)
    formset = formset_class({**data, "lessons-0-item_codes": "5.1.1, 5.1.3"}, instance=course)
    assert formset.is_valid(), formset.errors
    formset.save()
    assert set(lesson.items.values_list("code", flat=True)) == {"5.1.1", "5.1.3"}
