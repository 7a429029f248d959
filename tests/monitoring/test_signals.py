"""The request id in task messages, and the one log line per task run (tasks run in-process
with ``apply``; tests/monitoring/test_tasks.py runs them in a real worker)."""

import logging
import re

import pytest
from celery import shared_task

from monitoring import errors
from monitoring.logging import request_id
from monitoring.signals import HEADER, add_request_id_header
from tests.monitoring.conftest import as_json

pytestmark = pytest.mark.django_db

HEX_ID = re.compile(r"[0-9a-f]{32}")


class Flaky(Exception):
    pass


@shared_task(name="tests.monitoring.record_request_id")
def record_request_id() -> str | None:
    logging.getLogger("tests.monitoring").info("inside the task")
    return request_id.get()


@shared_task(name="tests.monitoring.fail")
def fail() -> None:
    raise ValueError("the task failed")


@shared_task(bind=True, name="tests.monitoring.retry_once", max_retries=3)
def retry_once(self) -> None:  # type: ignore[no-untyped-def]
    if not self.request.retries:
        raise self.retry(exc=Flaky(), countdown=0)


def task_lines(logs: pytest.LogCaptureFixture) -> list[dict]:
    return [as_json(r) for r in logs.records if r.name == "masterclass.task"]


def test_a_task_sent_during_a_request_carries_its_id() -> None:
    headers: dict = {}
    token = request_id.set("request-abc-123")
    try:
        add_request_id_header(headers=headers)
    finally:
        request_id.reset(token)
    assert headers[HEADER] == "request-abc-123"


def test_a_task_sent_from_nowhere_gets_a_fresh_id() -> None:
    first: dict = {}
    second: dict = {}
    add_request_id_header(headers=first)
    add_request_id_header(headers=second)
    assert HEX_ID.fullmatch(first[HEADER])
    assert first[HEADER] != second[HEADER]


def test_a_task_runs_with_the_id_in_its_message_and_logs_one_line(logs) -> None:
    result = record_request_id.apply(headers={HEADER: "from-the-message-1"})
    assert result.get() == "from-the-message-1"
    inside = [as_json(r) for r in logs.records if r.name == "tests.monitoring"]
    assert [line["request_id"] for line in inside] == ["from-the-message-1"]
    (line,) = task_lines(logs)
    assert line["task"] == "tests.monitoring.record_request_id"
    assert line["task_id"] == result.id
    assert line["state"] == "SUCCESS"
    assert line["retries"] == 0
    assert line["request_id"] == "from-the-message-1"
    assert isinstance(line["duration_ms"], float)
    assert "queue" in line
    assert request_id.get() is None  # cleared after the task


def test_a_bad_id_in_a_message_is_replaced() -> None:
    assert HEX_ID.fullmatch(record_request_id.apply(headers={HEADER: "bad id\n"}).get())


def test_a_failed_task_is_logged_as_an_error_and_counted(logs) -> None:
    before = errors.recent_error_counts()[errors.FAILED_TASKS]
    fail.apply()
    (line,) = task_lines(logs)
    assert (line["state"], line["level"]) == ("FAILURE", "ERROR")
    assert errors.recent_error_counts()[errors.FAILED_TASKS] == before + 1


def test_a_retry_is_logged_as_a_retry_and_not_counted(logs) -> None:
    before = errors.recent_error_counts()[errors.FAILED_TASKS]
    retry_once.apply()
    first, retried = task_lines(logs)
    assert (first["state"], first["level"], first["retries"]) == ("RETRY", "WARNING", 0)
    assert (retried["state"], retried["retries"]) == ("SUCCESS", 1)
    assert errors.recent_error_counts()[errors.FAILED_TASKS] == before


def test_a_cache_failure_does_not_break_a_task(broken_cache, logs) -> None:
    result = fail.apply()
    assert result.state == "FAILURE"
    assert isinstance(result.result, ValueError)  # the task's own error, not the cache's
    assert "Could not count a failed_tasks" in logs.text
    assert task_lines(logs)[0]["state"] == "FAILURE"
