"""`make run` starts the processes in Procfile.dev: its worker must consume every queue that
tasks are routed to, or answers would wait for ever."""

import re

from django.conf import settings


def test_the_local_worker_consumes_every_queue() -> None:
    procfile = (settings.BASE_DIR / "Procfile.dev").read_text()
    worker = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    consumed = set(re.search(r"--queues (\S+)", worker).group(1).split(","))
    prefix = f"test-{settings.TEST_RUN}-"
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    wanted = {q.removeprefix(prefix) for q in {settings.CELERY_TASK_DEFAULT_QUEUE, *routed}}
    assert wanted <= consumed, f"Procfile.dev worker misses {wanted - consumed}"


def test_beat_sends_the_sweeper() -> None:
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "exercises.tasks.sweep_submissions" in tasks
    assert any(
        line.startswith("beat:")
        for line in (settings.BASE_DIR / "Procfile.dev").read_text().splitlines()
    )
