from django.urls import path

from .views import draws, evidence

app_name = "reviews"
urlpatterns = [
    path("", draws.my_reviews, name="mine"),
    path("team/<int:pk>/decline/", draws.member_decline, name="decline"),
    path("staff/projects/<int:pk>/draw/", draws.staff_project_draw, name="staff_project_draw"),
    path("staff/draws/<int:pk>/verify/", draws.draw_verify, name="draw_verify"),
    path("projects/<int:pk>/evidence/", evidence.project_evidence, name="evidence"),
    path("projects/<int:pk>/evidence/items/<int:item_pk>/", evidence.evidence_upload,
         name="evidence_upload"),
    path("projects/<int:pk>/evidence/request/", evidence.evidence_request,
         name="evidence_request"),
    path("evidence/<int:pk>/versions/", evidence.evidence_version_add,
         name="evidence_version_add"),
    path("evidence/versions/<int:pk>/original/", evidence.evidence_original,
         name="evidence_original"),
    path("evidence/versions/<int:pk>/", evidence.evidence_viewer, name="evidence_viewer"),
    path("evidence/versions/<int:pk>/pages/<int:page>/", evidence.evidence_page,
         name="evidence_page"),
    path("staff/projects/<int:pk>/evidence-views/", evidence.staff_evidence_views,
         name="staff_evidence_views"),
]
