from django.urls import path

from . import views

app_name = "goals"

urlpatterns = [
    path("paar/<int:match_pk>/", views.goal_list, name="list"),
    path("paar/<int:match_pk>/nieuw/", views.goal_create, name="create"),
    path("paar/<int:match_pk>/meenemen/", views.goal_carry_over, name="carry_over"),
    path("<int:pk>/wijzigen/", views.goal_edit, name="edit"),
]
