from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("paar/<int:match_pk>/", views.meeting_list, name="list"),
    path("paar/<int:match_pk>/deelnamebewijs.pdf", views.certificate_download, name="certificate"),
    path("paar/<int:match_pk>/plannen/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/wijzigen/", views.meeting_edit, name="edit"),
    path("<int:pk>/gehouden/", views.meeting_mark_held, name="mark_held"),
    path("<int:pk>/annuleren/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/afspraak.ics", views.meeting_ics, name="ics"),
    path("doorgegaan/<str:token>/", views.meeting_answer, name="answer"),
    path("agenda/", views.calendar_settings, name="calendar"),
    path("agenda/<str:token>.ics", views.calendar_feed, name="feed"),
]
