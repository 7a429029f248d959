import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from monitoring.logging import JsonFormatter, RequestIdFilter


def as_json(record: logging.LogRecord) -> dict[str, Any]:
    """The record as production writes it, through the JSON formatter."""
    return json.loads(JsonFormatter().format(record))


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at INFO, its handler tagging records with the request id as settings' does."""
    request_id_filter = RequestIdFilter()
    caplog.handler.addFilter(request_id_filter)
    caplog.set_level(logging.INFO)
    yield caplog
    caplog.handler.removeFilter(request_id_filter)


@pytest.fixture
def broken_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache calls the error counters make raise, as a cache that is down does.
    Sessions' get and set still work."""
    from django.core.cache import cache

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache is down")

    for name in ("add", "incr", "touch", "get_many"):
        monkeypatch.setattr(cache, name, fail)
