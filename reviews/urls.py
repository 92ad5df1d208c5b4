from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("team/<int:pk>/decline/", views.member_decline, name="decline"),
    path("staff/projects/<int:pk>/draw/", views.staff_project_draw, name="staff_project_draw"),
    path("staff/draws/<int:pk>/verify/", views.draw_verify, name="draw_verify"),
]
