from django.urls import path

from . import views

urlpatterns = [
    path("", views.coordination, name="coordination"),
    path("jaarverslag/<int:cycle_id>/", views.year_report, name="year_report"),
    path("jaarverslag/<int:cycle_id>/jaarverslag.csv", views.year_report_csv, name="year_report_csv"),
    path("jaarverslag/<int:cycle_id>/jaarverslag.pdf", views.year_report_pdf, name="year_report_pdf"),
]
