"""Checks behind /healthz: each answers "ok" or says what is wrong, within a deadline."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from kombu import Connection

from masterclass.celery import app as celery_app

logger = logging.getLogger(__name__)
T = TypeVar("T")


def check_database() -> str:
    # A connection of its own, outside any pool, closed when done: it cannot hold up or be
    # held up by the requests being served.
    settings_dict = dict(connections.settings["default"])
    settings_dict["OPTIONS"] = {
        k: v for k, v in settings_dict.get("OPTIONS", {}).items() if k != "pool"
    }
    connection = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "healthz")
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SET statement_timeout = %s", [int(settings.HEALTHZ_TIMEOUT_SECONDS * 1000)]
                )
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()
    return "ok"


def check_broker() -> str:
    url = celery_app.conf.broker_url or ""
    if url.startswith("filesystem"):
        # The embedded broker is a folder: it is up when the folder is writable.
        folder = Path(celery_app.conf.broker_transport_options["data_folder_in"])
        probe = folder / ".healthz"
        probe.write_text("ok")
        probe.unlink()
        return "ok"
    with _within_deadline(celery_app.connection_for_write()) as connection:
        connection.default_channel.client.ping()  # type: ignore[attr-defined]
    return "ok"


@contextmanager
def _within_deadline(connection: Connection) -> Iterator[Connection]:
    """A broker connection that gives up within the health check's deadline."""
    timeout = settings.HEALTHZ_TIMEOUT_SECONDS
    with connection:
        # kombu always makes this a dict (its type says it may be None).
        connection.transport_options.update(  # type: ignore[attr-defined]
            socket_connect_timeout=timeout, socket_timeout=timeout
        )
        connection.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0.1, timeout=timeout
        )
        yield connection


CHECKS: dict[str, Callable[[], str]] = {"database": check_database, "broker": check_broker}

# Checks run in threads so that a hung one cannot hold up the response; a
# module-level pool keeps a stuck check from leaking a thread per request.
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="healthz")


_running: dict[str, Future[Any]] = {}
_running_lock = threading.Lock()


def _submit(name: str, check: Callable[[], T]) -> Future[T]:
    """Start a check, unless the last one of its kind is still stuck: then report on that one
    rather than pile up more threads behind it."""
    with _running_lock:
        previous = _running.get(name)
        if previous is not None and not previous.done():
            return cast("Future[T]", previous)
        _running[name] = future = _pool.submit(check)
        return future


def _read_queue_depths(queues: tuple[str, ...]) -> dict[str, int]:
    with _within_deadline(celery_app.connection_for_read()) as connection:
        channel = connection.default_channel
        # The transport's own count, so it follows kombu's storage: on Redis the LLEN of the
        # queue's list and of its priority lists; on the embedded broker the number of
        # "<time>_<uuid>.<queue>.msg" files in the queue folder.
        return {queue: int(channel._size(queue)) for queue in queues}  # type: ignore[attr-defined]


def queue_depths(queues: tuple[str, ...]) -> dict[str, int | None]:
    """Messages waiting in each queue; None for every queue when the broker does not answer
    within the health check deadline."""
    future = _submit(f"queues:{','.join(queues)}", lambda: _read_queue_depths(queues))
    try:
        return dict(future.result(timeout=settings.HEALTHZ_TIMEOUT_SECONDS))
    except Exception as error:
        logger.warning("Could not read the queue depths: %r", error)
        return dict.fromkeys(queues)


def run_checks() -> dict[str, str]:
    futures = {name: _submit(name, check) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=settings.HEALTHZ_TIMEOUT_SECONDS)
    results = {}
    for name, future in futures.items():
        if not future.done():
            results[name] = "timeout"
        elif (error := future.exception()) is not None:
            logger.warning("Health check %s failed: %r", name, error)
            results[name] = "error"
        else:
            results[name] = future.result()
    return results
