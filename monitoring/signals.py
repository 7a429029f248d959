"""Carry the request id into Celery tasks, and write one log line per task run.

A task sent while a request (or another task) is being handled carries that request's id in a
message header; a task sent from nowhere in particular (Celery beat, a shell) gets a fresh id of
its own. The worker puts the id in the context variable for the length of the task, so the
task's log lines carry it too. Connected in ``MonitoringConfig.ready``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import Task, states
from celery.signals import before_task_publish, task_postrun, task_prerun

from monitoring import errors
from monitoring.logging import new_request_id, request_id, valid_request_id

logger = logging.getLogger("masterclass.task")

HEADER = "x_request_id"

# Kept on the task's request (one per run, even when an eager retry runs inside its parent):
# the context variable's reset token and the start time.
RUN_STATE = "_monitoring_run"


def add_request_id_header(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is not None and not valid_request_id(headers.get(HEADER)):
        headers[HEADER] = request_id.get() or new_request_id()


def start_task_context(task_id: str, task: Task, **kwargs: Any) -> None:
    incoming = task.request.get(HEADER) or (task.request.headers or {}).get(HEADER)
    # A task run in-process (``apply``) keeps the id of whatever is running it.
    rid = valid_request_id(incoming) or request_id.get() or new_request_id()
    setattr(task.request, RUN_STATE, (request_id.set(rid), time.perf_counter()))


def end_task_context(task_id: str, task: Task, state: str | None = None, **kwargs: Any) -> None:
    token, started = getattr(task.request, RUN_STATE, None) or (None, time.perf_counter())
    try:
        if state == states.FAILURE:
            errors.count_failed_task()
        delivery = task.request.delivery_info or {}
        level = {states.FAILURE: logging.ERROR, states.RETRY: logging.WARNING}.get(
            state or "", logging.INFO
        )
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        logger.log(
            level,
            "%s %s %s %.0f ms",
            task.name,
            task_id,
            state,
            duration_ms,
            extra={
                "task": task.name,
                "task_id": task_id,
                "state": state,
                "duration_ms": duration_ms,
                "retries": task.request.retries or 0,
                "queue": delivery.get("routing_key"),
            },
        )
    finally:
        if token is not None:
            try:
                request_id.reset(token)
            except ValueError:  # set in another context (a thread pool): just clear it
                request_id.set(None)


def connect() -> None:
    before_task_publish.connect(add_request_id_header, dispatch_uid="monitoring.request_id")
    task_prerun.connect(start_task_context, dispatch_uid="monitoring.task_start")
    task_postrun.connect(end_task_context, dispatch_uid="monitoring.task_end")
