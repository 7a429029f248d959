from django.urls import path

from exercises import marking

app_name = "marking"

urlpatterns = [
    path("", marking.queue, name="queue"),
    path("errors/", marking.errors, name="errors"),
    path("<int:submission>/", marking.mark, name="mark"),
    path("<int:submission>/regrade", marking.regrade_one, name="regrade"),
]
