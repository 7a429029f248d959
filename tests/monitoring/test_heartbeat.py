"""Every worker records its own heartbeat on a timer, whatever queues it serves, and stops when
it is killed."""

import time

import pytest
from django.conf import settings

from monitoring.models import WorkerHeartbeat
from tests.conftest import Worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_on_any_queue_keeps_its_heartbeat_until_it_dies(tmp_path) -> None:
    # Only the grading queue: no heartbeat task could reach it.
    worker = Worker(tmp_path, queues=[settings.GRADING_QUEUE], WORKER_HEARTBEAT_SECONDS="1")
    worker.start()
    try:
        first = wait_until(lambda: WorkerHeartbeat.objects.first(), timeout=30)
        assert first.tasks_run == 0  # recorded by the worker's timer, not by a task
        wait_until(
            lambda: WorkerHeartbeat.objects.get(pk=first.pk).last_seen_at > first.last_seen_at,
            timeout=30,
        )
    finally:
        worker.kill()
    last = WorkerHeartbeat.objects.get(pk=first.pk).last_seen_at
    time.sleep(2.5)
    assert WorkerHeartbeat.objects.get(pk=first.pk).last_seen_at == last
