"""Placeholder: being written."""

from django.http import HttpRequest, HttpResponse


def overview(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def preferences(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def course_progress(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def my_certificate(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


def certificate(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
