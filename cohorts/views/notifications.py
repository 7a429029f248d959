"""Placeholder: being written."""

from django.http import HttpRequest, HttpResponse


def unsubscribe(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    raise NotImplementedError
