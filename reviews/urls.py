from django.urls import path

from .views import applications, draws

app_name = "reviews"
urlpatterns = [
    path("", draws.my_reviews, name="mine"),
    path("team/<int:pk>/decline/", draws.member_decline, name="decline"),
    path("organisations/", applications.organisations, name="organisations"),
    path("organisations/<int:pk>/", applications.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/profile/", applications.organisation_profile,
         name="organisation_profile"),
    path("organisations/<int:pk>/sites/", applications.site_add, name="site_add"),
    path("organisations/<int:pk>/sites/<int:site_pk>/remove/", applications.site_remove,
         name="site_remove"),
    path("organisations/<int:pk>/members/", applications.member_add, name="member_add"),
    path("organisations/<int:pk>/members/<int:member_pk>/remove/", applications.member_remove,
         name="member_remove"),
    path("organisations/<int:pk>/applications/new/", applications.application_new,
         name="application_new"),
    path("applications/<int:pk>/", applications.application_detail, name="application"),
    path("applications/<int:pk>/pay/stripe/", applications.application_pay_stripe,
         name="application_pay_stripe"),
    path("applications/<int:pk>/pay/bank/", applications.application_pay_bank,
         name="application_pay_bank"),
    path("applications/<int:pk>/paid/", applications.application_paid,
         name="application_paid"),
    path("applications/<int:pk>/resubmit/", applications.application_resubmit,
         name="application_resubmit"),
    path("staff/projects/", applications.staff_projects, name="staff_projects"),
    path("staff/projects/<int:pk>/accept/", applications.staff_project_accept,
         name="staff_project_accept"),
    path("staff/projects/<int:pk>/return/", applications.staff_project_return,
         name="staff_project_return"),
    path("staff/projects/<int:pk>/draw/", draws.staff_project_draw, name="staff_project_draw"),
    path("staff/draws/<int:pk>/verify/", draws.draw_verify, name="draw_verify"),
]
