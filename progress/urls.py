from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("progress/", views.overview, name="overview"),
    path("progress/settings/", views.preferences, name="settings"),
    # Under "courses/", so that no course slug (say "settings") can clash with the pages above.
    path("progress/courses/<slug:course>/", views.course_progress, name="course"),
    path(
        "progress/courses/<slug:course>/certificate/", views.my_certificate, name="my_certificate"
    ),
    # Public, for anyone given the link to check a certificate.
    path("certificates/<str:code>/", views.certificate, name="certificate"),
]
