import pytest

from monitoring.models import WorkerHeartbeat
from monitoring.services import record_heartbeat

pytestmark = pytest.mark.django_db


def test_first_heartbeat_creates_the_worker_row() -> None:
    heartbeat = record_heartbeat(hostname="worker@a")
    assert heartbeat.tasks_run == 1


def test_later_heartbeats_move_the_time_and_count() -> None:
    first = record_heartbeat(hostname="worker@a")
    second = record_heartbeat(hostname="worker@a")
    assert WorkerHeartbeat.objects.count() == 1
    assert second.tasks_run == 2
    assert second.last_seen_at >= first.last_seen_at
