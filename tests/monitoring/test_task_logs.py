"""The request id reaches tasks run by a real Celery worker process, whose log lines (JSON or
plain) carry it, one line per task."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from exercises.models import State, Submission
from monitoring.middleware import REQUEST_ID_HEADER
from monitoring.tasks import record_heartbeat
from tests.accounts.factories import UserFactory
from tests.conftest import Worker, empty_embedded_broker, wait_until
from tests.exercises.conftest import MINI_COURSE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEARTBEAT = "monitoring.tasks.record_heartbeat"


@pytest.fixture(scope="module", params=["json", "plain"])
def logging_worker(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Worker]:
    """A real worker writing its log in the given format (its start-up proves that the
    " ready." line, which tests and the benchmark wait for, survives the format)."""
    empty_embedded_broker()
    worker = Worker(tmp_path_factory.mktemp("celery"), LOG_FORMAT=request.param).start()
    worker.log_format = request.param  # type: ignore[attr-defined]
    try:
        yield worker
    finally:
        worker.stop()


def task_lines(worker: Worker, task: str) -> list[dict[str, Any]]:
    """The worker's per-task lines for ``task``, as fields."""
    if worker.log_format == "json":  # type: ignore[attr-defined]
        lines = [json.loads(x) for x in worker.log.splitlines() if x.startswith("{")]
        return [x for x in lines if x["logger"] == "masterclass.task" and x["task"] == task]
    found = re.findall(
        rf" (\w+) masterclass\.task \[([^\]]+)\] {re.escape(task)} (\S+) (\w+) ", worker.log
    )
    return [
        {"level": level, "request_id": rid, "task_id": task_id, "state": state}
        for level, rid, task_id, state in found
    ]


def test_a_task_sent_by_a_request_logs_the_requests_id(logging_worker, site_admin) -> None:
    client = Client()
    client.force_login(site_admin)
    response = client.post("/status/", headers={REQUEST_ID_HEADER: "status-page-post-1"})
    assert response[REQUEST_ID_HEADER] == "status-page-post-1"
    (line,) = wait_until(
        lambda: [
            x
            for x in task_lines(logging_worker, HEARTBEAT)
            if x["request_id"] == "status-page-post-1"
        ]
    )
    assert line["state"] == "SUCCESS"
    assert line["level"] == "INFO"
    if logging_worker.log_format == "json":  # type: ignore[attr-defined]
        assert line["queue"] == settings.CELERY_TASK_DEFAULT_QUEUE
        assert line["retries"] == 0
        assert line["duration_ms"] >= 0


def test_a_task_sent_outside_any_request_gets_a_fresh_id(logging_worker) -> None:
    result = record_heartbeat.delay()
    (line,) = wait_until(
        lambda: [x for x in task_lines(logging_worker, HEARTBEAT) if x["task_id"] == result.id]
    )
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])


def test_an_answer_is_graded_under_the_id_of_the_request_that_saved_it(logging_worker) -> None:
    from courses import services as course_services

    course_services.import_course(path=MINI_COURSE)
    client = Client()
    client.force_login(UserFactory())
    response = client.post(
        "/courses/mini-course/exercises/order-years/",
        {"item_0": "4", "item_1": "3", "item_2": "2", "item_3": "1"},
        headers={REQUEST_ID_HEADER: "answer-post-12345"},
    )
    assert response.status_code == 302
    wait_until(lambda: Submission.objects.filter(state=State.GRADED).exists())
    (line,) = wait_until(
        lambda: [
            x
            for x in task_lines(logging_worker, "exercises.tasks.grade_submission")
            if x["request_id"] == "answer-post-12345"
        ]
    )
    assert line["state"] == "SUCCESS"
