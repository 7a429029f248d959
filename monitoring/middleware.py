"""A request id for every request, and one log line per request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import empty

from monitoring import errors
from monitoring.logging import REQUEST_ATTRIBUTE, new_request_id, request_id, valid_request_id

logger = logging.getLogger("masterclass.request")

REQUEST_ID_HEADER = "X-Request-ID"
# URL parts that are secrets (allauth's email-confirmation and password-reset keys, our
# unsubscribe tokens): the logged path shows a placeholder instead.
SECRET_URL_KWARGS = frozenset({"key", "token", "uidb36", "uidb64"})
REDACTED = "[redacted]"


class QueryCounter:
    """Counts the queries a request makes on the default database: a wrapper around each
    execute, so it costs a function call a query and needs no DEBUG cursor."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class RequestLogMiddleware:
    """First in the chain, so it times and numbers everything after it, static files included.

    Takes the caller's ``X-Request-ID`` when it is a plain short token (a load balancer or
    another service may set one), else makes a new one; returns it in the response header and
    puts it on every log record written while the request is served. Writes one line per
    request to the ``masterclass.request`` logger, and counts 5xx answers for the status page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        rid = valid_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        setattr(request, REQUEST_ATTRIBUTE, rid)
        token = request_id.set(rid)
        started = time.perf_counter()
        queries = QueryCounter()
        try:
            with connection.execute_wrapper(queries):
                response = self.get_response(request)
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            response[REQUEST_ID_HEADER] = rid
            # A health check's 503 reports a failure elsewhere (and is polled every few
            # seconds): it is not a server error of its own.
            if response.status_code >= 500 and not _is_health_check(request):
                errors.count_server_error()
            if _worth_logging(request, response):
                _log_request(request, response, duration_ms=duration_ms, queries=queries.count)
            return response
        finally:
            request_id.reset(token)


def _is_health_check(request: HttpRequest) -> bool:
    return request.path == "/healthz"


def _level(request: HttpRequest, status: int) -> int:
    if _is_health_check(request):
        return logging.WARNING if status >= 400 else logging.INFO
    return logging.ERROR if status >= 500 else logging.INFO


def _worth_logging(request: HttpRequest, response: HttpResponseBase) -> bool:
    # Static files (WhiteNoise answers them after this middleware) and load balancers' health
    # checks would drown the log: they are written only when something is wrong.
    if request.path.startswith(settings.STATIC_URL) or _is_health_check(request):
        return response.status_code >= 400
    return True


def _log_request(
    request: HttpRequest, response: HttpResponseBase, *, duration_ms: float, queries: int
) -> None:
    match = request.resolver_match
    path = request.path  # never the query string: it may hold personal data
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and value:
                path = path.replace(str(value), REDACTED)
    status = response.status_code
    logger.log(
        _level(request, status),
        "%s %s %s %.0f ms",
        request.method,
        path,
        status,
        duration_ms,
        extra={
            "method": request.method,
            "path": path,
            "route": match.view_name if match is not None else None,
            "status": status,
            "duration_ms": duration_ms,
            "user_id": _user_id(request),
            "bytes": _size(response),
            "db_queries": queries,
        },
    )


def _user_id(request: HttpRequest) -> int | None:
    """The signed-in user's id (never the email address), if the request already looked them
    up: reading ``request.user`` here would otherwise cost a session query on pages that never
    needed it."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


def _size(response: HttpResponseBase) -> int | None:
    if response.has_header("Content-Length"):
        return int(response["Content-Length"])
    if not response.streaming:
        return len(response.content)  # type: ignore[attr-defined]
    return None
