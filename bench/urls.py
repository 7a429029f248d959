"""The site's URLs plus a bare baseline view that every page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path


def baseline(request: HttpRequest) -> HttpResponse:
    return render(request, "bench/baseline.html")


urlpatterns = [
    path("bench/baseline", baseline),
    path("", include("masterclass.urls")),
]
