from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("bedankt/", views.thanks, name="thanks"),
    path("<str:token>/", views.respond, name="respond"),
]
