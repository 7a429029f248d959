from django.db.models import F
from django.utils import timezone

from monitoring.models import WorkerHeartbeat


def record_heartbeat(*, hostname: str) -> WorkerHeartbeat:
    """Note that the worker called ``hostname`` is alive. Safe to run twice."""
    now = timezone.now()
    heartbeat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"last_seen_at": now, "tasks_run": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(
            last_seen_at=now, tasks_run=F("tasks_run") + 1
        )
        heartbeat.refresh_from_db()
    return heartbeat
