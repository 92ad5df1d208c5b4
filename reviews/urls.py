from django.urls import path

from .views import decision, draws, judgement

app_name = "reviews"
urlpatterns = [
    path("", draws.my_reviews, name="mine"),
    path("team/<int:pk>/decline/", draws.member_decline, name="decline"),
    path("projects/<int:pk>/", judgement.project, name="project"),
    path("projects/<int:pk>/agreement/", judgement.agreement, name="agreement"),
    path("projects/<int:pk>/checklist/", judgement.checklist, name="checklist"),
    path("projects/<int:pk>/checklist/<int:number>/", judgement.checklist_module,
         name="checklist_module"),
    path("projects/<int:pk>/items/<int:item_id>/", judgement.item, name="item"),
    path("projects/<int:pk>/final/", judgement.final, name="final"),
    path("projects/<int:pk>/final/<int:number>/", judgement.final_module, name="final_module"),
    path("projects/<int:pk>/final/items/<int:item_id>/", judgement.final_item,
         name="final_item"),
    path("projects/<int:pk>/consolidate/", judgement.consolidate, name="consolidate"),
    path("staff/projects/<int:pk>/draw/", draws.staff_project_draw, name="staff_project_draw"),
    path("staff/draws/<int:pk>/verify/", draws.draw_verify, name="draw_verify"),
    path("staff/decisions/", decision.staff_decisions, name="staff_decisions"),
    path("staff/projects/<int:pk>/decision/", decision.staff_decision, name="staff_decision"),
]
