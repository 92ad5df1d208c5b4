from django.urls import path

from . import views

app_name = "exams"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:exam_id>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt, name="attempt"),
    path("attempts/<int:attempt_id>/submit/", views.submit, name="submit"),
    path("attempts/<int:attempt_id>/result/", views.result, name="result"),
    path("attempts/<int:attempt_id>/appeal/", views.appeal, name="appeal"),
    path("manage/", views.manage, name="manage"),
    path("manage/questions/", views.questions, name="questions"),
    path("manage/questions/<int:question_id>/", views.question, name="question"),
    path("manage/questions/import/", views.questions_import, name="import"),
    path("manage/questions/import/<int:job_id>/", views.questions_import_job, name="import_job"),
    path("manage/questions/export/", views.questions_export, name="export"),
    path("manage/questions/void/", views.question_void, name="void"),
    path("manage/appeals/", views.appeals, name="appeals"),
    path("manage/items/", views.items_coverage, name="items_coverage"),
    path("manage/items/<int:item_id>/", views.item_trace, name="item_trace"),
    path("manage/<int:exam_id>/statistics/", views.exam_statistics, name="statistics"),
    path("manage/<int:exam_id>/accommodations/", views.accommodation, name="accommodation"),
]
