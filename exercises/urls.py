from django.urls import path

from exercises import views

app_name = "exercises"

urlpatterns = [
    path("courses/<slug:course>/exercises/<slug:exercise>/", views.exercise, name="exercise"),
    path(
        "courses/<slug:course>/exercises/<slug:exercise>/attempts/<int:attempt>/result",
        views.attempt_result,
        name="attempt_result",
    ),
    path("courses/<slug:course>/exercises/<slug:exercise>/regrade", views.regrade, name="regrade"),
]
