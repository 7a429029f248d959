"""Counts of 5xx responses and failed Celery tasks, per minute, in the cache.

The status page sums the last hour's buckets. Counting is best effort: a cache that is down
must never turn into a failed request or task, so every cache error is caught and logged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

SERVER_ERRORS = "server_errors"
FAILED_TASKS = "failed_tasks"
KINDS = (SERVER_ERRORS, FAILED_TASKS)
# Kept a little longer than the hour the status page reads.
BUCKET_TTL_SECONDS = 2 * 3600


def _key(kind: str, minute: datetime) -> str:
    return f"monitoring:errors:{kind}:{minute:%Y%m%d%H%M}"


def count_error(*, kind: str, now: datetime | None = None) -> None:
    """Add one to this minute's bucket for ``kind``. Never raises."""
    key = _key(kind, now or timezone.now())
    try:
        # add() is atomic (SET NX on Redis, an INSERT on the database cache), so two first
        # errors in the same minute cannot both start the bucket at one.
        cache.add(key, 0, timeout=BUCKET_TTL_SECONDS)
        cache.incr(key)
        # The database cache's incr() rewrites the entry with the default timeout: put ours back.
        cache.touch(key, timeout=BUCKET_TTL_SECONDS)
    except Exception as error:
        logger.warning("Could not count a %s in the cache: %r", kind, error)


def count_server_error() -> None:
    count_error(kind=SERVER_ERRORS)


def count_failed_task() -> None:
    count_error(kind=FAILED_TASKS)


def recent_error_counts(*, minutes: int = 60, now: datetime | None = None) -> dict[str, int | None]:
    """Errors of each kind over the last ``minutes`` (this minute included); None when the
    cache cannot be read. One cache round trip."""
    now = now or timezone.now()
    keys = {
        kind: [_key(kind, now - timedelta(minutes=back)) for back in range(minutes)]
        for kind in KINDS
    }
    try:
        found = cache.get_many([key for kind_keys in keys.values() for key in kind_keys])
    except Exception as error:
        logger.warning("Could not read the error counts from the cache: %r", error)
        return dict.fromkeys(KINDS)
    return {
        kind: sum(int(found.get(key) or 0) for key in kind_keys) for kind, kind_keys in keys.items()
    }
