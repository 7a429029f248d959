from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("progress/", views.overview, name="overview"),
    path("progress/settings/", views.preferences, name="settings"),
    path("progress/<slug:course>/", views.course_progress, name="course"),
    path("progress/<slug:course>/certificate/", views.my_certificate, name="my_certificate"),
    # Public, for anyone given the link to check a certificate.
    path("certificates/<str:code>/", views.certificate, name="certificate"),
]
