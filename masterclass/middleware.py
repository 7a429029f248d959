"""A shared service that is down for a moment gets a calm 503, not the 500 page."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Redis holds the rate limits on signing in, which fail closed while it is down: those pages
# answer this until it is back (rebuildable cache entries never get here: masterclass.caching).
UNAVAILABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError)
RETRY_AFTER_SECONDS = 30


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE):
            return None
        logger.warning("Redis is unavailable: %r", exception)
        response = render(request, "errors/503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
