from django.urls import path

from . import views, views_openbadges

app_name = "certification"
urlpatterns = [
    path("", views.my_credentials, name="mine"),
    path("verify/", views.verify_lookup, name="verify"),
    path("verify/badge/", views_openbadges.verify_openbadge, name="verify_badge"),
    path("verify/<str:number>/<str:token>/", views.verify_link, name="verify_token"),
    path("status/<str:purpose>/", views_openbadges.status_list, name="status_list"),
    path("achievements/<slug:slug>", views_openbadges.achievement, name="achievement"),
    path("<int:pk>/badge/", views_openbadges.credential_badge_page, name="badge"),
    path("<int:pk>/openbadge.json", views_openbadges.credential_openbadge_json,
         name="openbadge_json"),
    path("<int:pk>/badge.png", views_openbadges.credential_badge_png, name="badge_png"),
    path("registry/", views.registry, name="registry"),
    path("apply/", views.apply, name="apply"),
    path("<int:pk>/certificate.pdf", views.credential_pdf, name="pdf"),
    path("<int:pk>/registry/", views.registry_listing, name="registry_listing"),
    path("<int:pk>/education/", views.education_add, name="education_add"),
    path("education/<int:pk>/evidence", views.education_evidence, name="education_evidence"),
    path("<int:pk>/renew/", views.renew, name="renew"),
    path("staff/", views.staff_credentials, name="staff_credentials"),
    path("staff/<int:pk>/", views.staff_credential, name="staff_credential"),
    path("staff/candidates/", views.staff_candidates, name="staff_candidates"),
    path("staff/candidates/decide/", views.staff_candidates_decide,
         name="staff_candidates_decide"),
    path("staff/candidates/export.xlsx", views.staff_candidates_export,
         name="staff_candidates_export"),
    path("staff/weights/", views.staff_weights, name="staff_weights"),
    path("staff/education/", views.staff_education, name="staff_education"),
    path("staff/education/<int:pk>/review/", views.staff_education_review,
         name="staff_education_review"),
]
