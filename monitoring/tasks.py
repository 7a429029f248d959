from celery import Task, shared_task

from monitoring import services


@shared_task(bind=True, ignore_result=True)
def record_heartbeat(self: Task) -> None:
    services.record_heartbeat(hostname=self.request.hostname or "unknown")
