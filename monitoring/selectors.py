"""Reads for the system status page and ``/healthz?full=1``.

Every figure comes from a bounded number of queries that use the submission table's
``(state, submitted_at)`` index, whatever the number of submissions: counts and single rows
computed in the database, never rows loaded to be counted in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, QuerySet
from django.utils import timezone

from exercises.models import State, Submission
from monitoring import errors, health
from monitoring.models import WorkerHeartbeat

PERCENTILES = (50, 95, 99)
# A worker whose last heartbeat is older than this many heartbeat intervals has stopped.
STALE_AFTER_INTERVALS = 3
WINDOW = timedelta(hours=1)


def recent_heartbeats(*, within: timedelta = timedelta(days=1)) -> QuerySet[WorkerHeartbeat]:
    return WorkerHeartbeat.objects.filter(last_seen_at__gte=timezone.now() - within)


def heartbeat_interval() -> timedelta:
    """How often each worker records its heartbeat (monitoring.heartbeat)."""
    return timedelta(seconds=float(settings.WORKER_HEARTBEAT_SECONDS))


def queue_names() -> dict[str, str]:
    """Each queue's label and its name on the broker (test runs prefix the names)."""
    prefix = settings.CELERY_TASK_DEFAULT_QUEUE.removesuffix("default")
    return {
        "grading": settings.GRADING_QUEUE,
        "default": settings.CELERY_TASK_DEFAULT_QUEUE,
        "email": getattr(settings, "EMAIL_QUEUE", f"{prefix}email"),
    }


@dataclass(frozen=True)
class WorkerStatus:
    hostname: str
    last_seen_at: datetime
    tasks_run: int
    age: timedelta
    stale: bool


@dataclass(frozen=True)
class Backlog:
    """Submissions waiting to be marked (pending or being marked)."""

    waiting: int
    oldest_submitted_at: datetime | None
    oldest_age: timedelta | None


@dataclass(frozen=True)
class GradingLatency:
    """Submit-to-graded time of the answers first marked by a worker in the window."""

    graded: int
    percentiles: dict[int, timedelta | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ErrorCounts:
    failed_gradings: int
    server_errors: int | None  # None: the cache could not be read
    failed_tasks: int | None


@dataclass(frozen=True)
class SystemStatus:
    checked_at: datetime
    queues: dict[str, int | None]
    backlog: Backlog
    latency: GradingLatency
    workers: list[WorkerStatus]
    heartbeat_interval: timedelta
    errors: ErrorCounts

    @property
    def fresh_workers(self) -> int:
        return sum(not worker.stale for worker in self.workers)


def worker_statuses(*, now: datetime) -> list[WorkerStatus]:
    """Workers seen in the last day, newest first, each marked stale after three missed
    heartbeats. One query."""
    stale_after = heartbeat_interval() * STALE_AFTER_INTERVALS
    return [
        WorkerStatus(
            hostname=heartbeat.hostname,
            last_seen_at=heartbeat.last_seen_at,
            tasks_run=heartbeat.tasks_run,
            age=max(now - heartbeat.last_seen_at, timedelta(0)),
            stale=now - heartbeat.last_seen_at > stale_after,
        )
        for heartbeat in recent_heartbeats().order_by("-last_seen_at")
    ]


def submission_backlog(*, now: datetime) -> Backlog:
    """One query."""
    figures = Submission.objects.filter(state__in=[State.PENDING, State.GRADING]).aggregate(
        waiting=Count("pk"), oldest=Min("submitted_at")
    )
    oldest = figures["oldest"]
    return Backlog(
        waiting=figures["waiting"],
        oldest_submitted_at=oldest,
        oldest_age=max(now - oldest, timedelta(0)) if oldest else None,
    )


def grading_latency(*, now: datetime, window: timedelta = WINDOW) -> GradingLatency:
    """Percentiles (nearest rank) of submit-to-graded time over answers graded in the window:
    a count, then one ``ORDER BY duration LIMIT 1 OFFSET k`` per percentile. At most four
    queries, the same on SQLite and PostgreSQL.

    Only first gradings by a worker count: a re-grade after an answer key changed, or a
    tutor's mark, would measure the author or the tutor rather than the pipeline. Answers
    graded in the window were submitted at most the give-up time before it (later ones are
    marked as errors), which bounds the index range scanned.
    """
    since = now - window
    give_up = timedelta(seconds=settings.GRADING_GIVE_UP_AFTER_SECONDS)
    graded = Submission.objects.filter(
        state=State.GRADED,
        submitted_at__gte=since - give_up,
        graded_at__gte=since,
        grading_runs=1,
        tutor__isnull=True,
    )
    count = graded.count()
    durations = graded.annotate(
        duration=ExpressionWrapper(F("graded_at") - F("submitted_at"), output_field=DurationField())
    ).order_by("duration")
    percentiles: dict[int, timedelta | None] = {}
    for percentile in PERCENTILES:
        if not count:
            percentiles[percentile] = None
            continue
        rank = max(math.ceil(percentile / 100 * count), 1)
        # Rows can leave the set between the count and this query (a re-grade): then the
        # slowest that is left stands in.
        found = list(durations.values_list("duration", flat=True)[rank - 1 : rank])
        percentiles[percentile] = (
            found[0] if found else durations.values_list("duration", flat=True).last()
        )
    return GradingLatency(graded=count, percentiles=percentiles)


def error_counts(*, now: datetime, window: timedelta = WINDOW) -> ErrorCounts:
    """Gradings that failed (from the database, one query) and 5xx answers and failed tasks
    (from the per-minute counters in the cache, one round trip)."""
    failed_gradings = Submission.objects.filter(
        state=State.ERROR, graded_at__gte=now - window
    ).count()
    counted = errors.recent_error_counts(minutes=int(window.total_seconds() // 60), now=now)
    return ErrorCounts(
        failed_gradings=failed_gradings,
        server_errors=counted[errors.SERVER_ERRORS],
        failed_tasks=counted[errors.FAILED_TASKS],
    )


def system_status(*, now: datetime | None = None) -> SystemStatus:
    """Everything the status page shows. At most nine queries and one cache read; the broker
    is asked for the queue depths within the health check deadline."""
    now = now or timezone.now()
    names = queue_names()
    depths = health.queue_depths(tuple(names.values()))
    return SystemStatus(
        checked_at=now,
        queues={label: depths.get(name) for label, name in names.items()},
        backlog=submission_backlog(now=now),
        latency=grading_latency(now=now),
        workers=worker_statuses(now=now),
        heartbeat_interval=heartbeat_interval(),
        errors=error_counts(now=now),
    )
