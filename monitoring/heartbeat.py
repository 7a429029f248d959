"""Each Celery worker records its own heartbeat on a timer, whatever queues it serves.

A heartbeat task sent by beat reaches only the workers of the queue it is sent to, and only one
of them; a thread in each worker reaches every worker. It stops with the worker: a worker that
is killed outright simply goes stale on the status page. Connected in ``MonitoringConfig.ready``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connections

from monitoring import services

logger = logging.getLogger(__name__)

_stop = threading.Event()


def beat(*, hostname: str) -> None:
    """Record one heartbeat; never raises (the database may be down for a moment)."""
    try:
        services.record_heartbeat(hostname=hostname, ran_task=False)
    except Exception:
        logger.warning("Could not record the heartbeat of %s", hostname, exc_info=True)
    finally:
        connections.close_all()  # this thread's own connections: back to the pool


def _run(hostname: str, interval: float) -> None:
    while True:
        beat(hostname=hostname)
        if _stop.wait(interval):
            return


def start(sender: Any = None, **kwargs: Any) -> None:
    hostname = getattr(sender, "hostname", None) or "unknown"
    _stop.clear()
    threading.Thread(
        target=_run,
        args=(hostname, float(settings.WORKER_HEARTBEAT_SECONDS)),
        name="heartbeat",
        daemon=True,
    ).start()


def stop(**kwargs: Any) -> None:
    _stop.set()


def connect() -> None:
    worker_ready.connect(start, dispatch_uid="monitoring.heartbeat_start")
    worker_shutdown.connect(stop, dispatch_uid="monitoring.heartbeat_stop")
