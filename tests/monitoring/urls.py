"""The site's URLs plus a few views that fail on purpose, for the request-log tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from masterclass.urls import handler500  # noqa: F401  (the site's error page)


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def unavailable(request: HttpRequest) -> HttpResponse:
    return HttpResponse("down for a moment", status=503)


def who_am_i(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.user.pk))


def secret(request: HttpRequest, key: str) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("test/broken/", broken, name="broken"),
    path("test/unavailable/", unavailable, name="unavailable"),
    path("test/who-am-i/", who_am_i, name="who_am_i"),
    path("test/confirm/<str:key>/", secret, name="secret"),
    path("", include("masterclass.urls")),
]
