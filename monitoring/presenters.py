"""The system status figures as the page shows them and as ``/healthz?full=1`` returns them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from monitoring.selectors import STALE_AFTER_INTERVALS, SystemStatus

UNKNOWN = "unknown"


def duration_text(value: timedelta | None) -> str:
    """Short, readable durations: "35 ms", "4.2 s", "12 min", "3 h 5 min"."""
    if value is None:
        return "none"
    seconds = value.total_seconds()
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def count_text(value: int | None) -> str:
    return UNKNOWN if value is None else f"{value:,}"


def status_page(status: SystemStatus) -> dict[str, Any]:
    """Rows for the page's summary lists and tables; the template only loops over them."""
    latency = status.latency
    return {
        "queues": [
            {"label": label.capitalize(), "depth": count_text(depth), "unknown": depth is None}
            for label, depth in status.queues.items()
        ],
        "backlog": [
            ("Answers waiting to be marked", count_text(status.backlog.waiting)),
            (
                "Oldest waiting answer",
                "none"
                if status.backlog.oldest_age is None
                else f"waiting {duration_text(status.backlog.oldest_age)}",
            ),
        ],
        "latency": [
            ("Answers marked", count_text(latency.graded)),
            *(
                (f"{percentile}th percentile", duration_text(value))
                for percentile, value in latency.percentiles.items()
            ),
        ],
        "workers": [
            {
                "hostname": worker.hostname,
                "last_seen": f"{duration_text(worker.age)} ago",
                "tasks_run": worker.tasks_run,
                "stale": worker.stale,
            }
            for worker in status.workers
        ],
        "stale_after": duration_text(status.heartbeat_interval * STALE_AFTER_INTERVALS),
        "errors": [
            ("Answers that could not be marked", count_text(status.errors.failed_gradings)),
            ("Server errors (5xx answers)", count_text(status.errors.server_errors)),
            ("Failed background tasks", count_text(status.errors.failed_tasks)),
        ],
    }


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 3)


def full_health(status: SystemStatus) -> dict[str, Any]:
    """The figures for ``/healthz?full=1``: numbers (seconds, counts), null when unknown."""
    return {
        "queues": status.queues,
        "submissions_waiting": status.backlog.waiting,
        "oldest_pending_seconds": _seconds(status.backlog.oldest_age),
        "grading_latency_seconds": {
            "graded_last_hour": status.latency.graded,
            **{f"p{p}": _seconds(value) for p, value in status.latency.percentiles.items()},
        },
        "workers": [
            {
                "hostname": worker.hostname,
                "last_seen_seconds": _seconds(worker.age),
                "fresh": not worker.stale,
            }
            for worker in status.workers
        ],
        "fresh_workers": status.fresh_workers,
        "errors_last_hour": {
            "failed_gradings": status.errors.failed_gradings,
            "server_errors": status.errors.server_errors,
            "failed_tasks": status.errors.failed_tasks,
        },
    }
