"""The shared cache, for what can always be rebuilt (rendered lessons and questions).

While Redis is down or restarting, a read is a miss and a write is dropped, so pages are built
from the database instead of failing. Only these reads and writes tolerate an outage: the
cache as a whole does not, so that rate limits on signing in fail closed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache

logger = logging.getLogger(__name__)

# Say so at most once a minute per process, not once per page view.
_WARN_EVERY_SECONDS = 60.0
_last_warning = 0.0


def get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception as error:  # any cache backend's connection error
        _warn(error)
        return None


def set(key: str, value: Any, timeout: int) -> None:  # noqa: A001 (cache.set's own name)
    try:
        cache.set(key, value, timeout)
    except Exception as error:
        _warn(error)


def _warn(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("The cache is unavailable; building pages without it: %r", error)
