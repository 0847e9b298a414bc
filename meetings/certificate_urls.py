"""The public check of a participation certificate (issue 26 §5), at /deelnamebewijs/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.certificate_check, name="certificate_check"),
    path("<str:code>/", views.certificate_verify, name="certificate_verify"),
]
