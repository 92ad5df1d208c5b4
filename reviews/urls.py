from django.urls import path

from .views import certificates, draws

app_name = "reviews"
urlpatterns = [
    path("", draws.my_reviews, name="mine"),
    path("team/<int:pk>/decline/", draws.member_decline, name="decline"),
    path("staff/projects/<int:pk>/draw/", draws.staff_project_draw, name="staff_project_draw"),
    path("staff/draws/<int:pk>/verify/", draws.draw_verify, name="draw_verify"),
    path("certified/", certificates.certified_list, name="certified"),
    path("staff/certificates/", certificates.staff_certificates, name="staff_certificates"),
    path("staff/projects/<int:pk>/certificate/", certificates.staff_certificate_issue,
         name="staff_certificate_issue"),
]
