from django.db.models import F
from django.utils import timezone

from monitoring.models import WorkerHeartbeat


def record_heartbeat(*, hostname: str, ran_task: bool = True) -> WorkerHeartbeat:
    """Note that the worker called ``hostname`` is alive, and count a heartbeat task it ran
    (the worker's own timer records it alive without one). Safe to run twice."""
    now = timezone.now()
    heartbeat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"last_seen_at": now, "tasks_run": int(ran_task)}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(
            last_seen_at=now, tasks_run=F("tasks_run") + int(ran_task)
        )
        heartbeat.refresh_from_db()
    return heartbeat
