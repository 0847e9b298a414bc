from django.urls import path

from . import data_views

app_name = "my_data"

urlpatterns = [
    path("", data_views.my_data, name="overview"),
    path("download/", data_views.my_data_download, name="download"),
    path("account-verwijderen/", data_views.account_delete, name="account_delete"),
]
