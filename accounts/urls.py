from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("your-data/", views.your_data, name="your_data"),
    path("your-data/download.json", views.download_json, name="download_json"),
    path("your-data/<slug:table>.csv", views.download_csv, name="download_csv"),
    path("delete/", views.delete_account, name="delete"),
    path("deleted/", views.account_deleted, name="deleted"),
]
