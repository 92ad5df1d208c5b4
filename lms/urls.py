from django.urls import path

from . import views

app_name = "lms"
urlpatterns = [
    path("", views.cohort_list, name="cohort_list"),
    path("cohorts/<slug:code>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<slug:code>/calendar.ics", views.cohort_calendar, name="cohort_calendar"),
    path("cohorts/<slug:code>/enrol/", views.cohort_enrol, name="cohort_enrol"),
    path("my/", views.enrolment_list, name="enrolment_list"),
    path("enrolments/<str:reference>/", views.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<str:reference>/pay/stripe/", views.enrolment_pay_stripe,
         name="enrolment_pay_stripe"),
    path("enrolments/<str:reference>/pay/bank/", views.enrolment_pay_bank,
         name="enrolment_pay_bank"),
    path("enrolments/<str:reference>/paid/", views.enrolment_paid, name="enrolment_paid"),
    path("enrolments/<str:reference>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<str:reference>/payment-notice.pdf", views.enrolment_notice_pdf,
         name="enrolment_notice_pdf"),
    path("courses/<slug:code>/material/", views.course_material, name="course_material"),
    path("courses/<slug:code>/material/<slug:slug>/", views.lesson_detail, name="lesson_detail"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("staff/", views.staff_dashboard, name="staff_dashboard"),
    path("staff/payments/", views.staff_payments, name="staff_payments"),
    path("staff/payments/<int:payment_id>/confirm/", views.staff_bank_confirm,
         name="staff_bank_confirm"),
    path("staff/refunds/<int:refund_id>/done/", views.staff_refund_done, name="staff_refund_done"),
    path("staff/cohorts/<slug:code>/", views.staff_roster, name="staff_roster"),
    path("staff/cohorts/<slug:code>/cancel/", views.staff_cohort_cancel,
         name="staff_cohort_cancel"),
    path("staff/enrolments/<str:reference>/attendance/", views.staff_attendance,
         name="staff_attendance"),
    path("staff/enrolments/<str:reference>/complete/", views.staff_complete,
         name="staff_complete"),
    path("staff/enrolments/<str:reference>/cancel/", views.staff_enrolment_cancel,
         name="staff_enrolment_cancel"),
]
