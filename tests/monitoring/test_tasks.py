"""Tasks through a real Celery worker process, on the test database and the real broker."""

import pytest

from monitoring.models import WorkerHeartbeat
from monitoring.tasks import record_heartbeat
from tests.conftest import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_task_sent_here_is_run_by_the_worker(celery_worker) -> None:
    record_heartbeat.delay()
    wait_until(
        lambda: WorkerHeartbeat.objects.filter(hostname__startswith="test-", tasks_run__gte=1)
    )


def test_the_status_page_sends_a_task_that_the_worker_runs(celery_worker, client, site_admin):
    client.force_login(site_admin)
    before = sum(WorkerHeartbeat.objects.values_list("tasks_run", flat=True))
    response = client.post("/status/")
    assert response.status_code == 302
    wait_until(lambda: sum(WorkerHeartbeat.objects.values_list("tasks_run", flat=True)) > before)
