"""Structured logs: a request id on every record, and one JSON object a line in production.

The request id lives in a context variable. The request middleware sets it for the length of a
request and the Celery signals (``monitoring.signals``) for the length of a task, so every line
written while serving a request, or running a task that request sent, carries the same id and
can be joined up in the log store.

Settings refer to the classes here by dotted path (``LOGGING``), so this module imports nothing
from Django.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

# The attribute the request middleware sets on each HttpRequest.
REQUEST_ATTRIBUTE = "request_id"

# Incoming ids are copied into logs and a response header, so only a short, plain token is
# accepted; anything else (too long, spaces, newlines, quotes) is replaced by a fresh id.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{8,64}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: object) -> str | None:
    """``value`` if it is an acceptable request id, else None."""
    if isinstance(value, str) and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return None


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record that passes through the handler.

    ``missing`` is what records outside any request or task get: None (null in JSON), or "-"
    for the plain format, which cannot print None nicely.
    """

    def __init__(self, name: str = "", missing: str | None = None) -> None:
        super().__init__(name)
        self.missing = missing

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            # Django logs 4xx answers ("Not Found: …") after the last middleware has returned,
            # when the context variable is already cleared; those records carry the request.
            from_request = getattr(getattr(record, "request", None), REQUEST_ATTRIBUTE, None)
            record.request_id = request_id.get() or from_request or self.missing
        return True


# Django puts the HttpRequest on its django.request and django.server records; its text holds
# the query string, which may hold personal data, so it is never written out.
OMITTED_ATTRS = (*RESERVED_ATTRS, "request")


class JsonFormatter(BaseJsonFormatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id, then
    any ``extra`` fields the call passed (the request and task lines pass several)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("reserved_attrs", OMITTED_ATTRS)
        kwargs.setdefault("timestamp", "time")
        if not args:
            kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s %(request_id)s")
        super().__init__(*args, **kwargs)
