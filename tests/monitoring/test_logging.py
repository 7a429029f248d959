import json
import logging
import re

import pytest

from monitoring.logging import (
    JsonFormatter,
    RequestIdFilter,
    new_request_id,
    request_id,
    valid_request_id,
)


def record(message: str = "hello", **extra: object) -> logging.LogRecord:
    log_record = logging.LogRecord("masterclass.test", logging.INFO, __file__, 1, message, (), None)
    log_record.__dict__.update(extra)
    return log_record


@pytest.mark.parametrize(
    "value", ["abcdef12", "A1b2-C3d4.e5_f6", "x" * 64, "0123456789abcdef0123456789abcdef"]
)
def test_plain_short_tokens_are_valid_request_ids(value: str) -> None:
    assert valid_request_id(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "short",
        "x" * 65,
        "has space1",
        "new\nline12",
        'quote"123',
        "émoji-ids-1",
        12345678,
    ],
)
def test_anything_else_is_not_a_request_id(value: object) -> None:
    assert valid_request_id(value) is None


def test_new_request_ids_are_valid_and_differ() -> None:
    first, second = new_request_id(), new_request_id()
    assert valid_request_id(first) == first
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_filter_adds_the_current_request_id() -> None:
    token = request_id.set("abcdef123456")
    try:
        log_record = record()
        RequestIdFilter().filter(log_record)
    finally:
        request_id.reset(token)
    assert log_record.request_id == "abcdef123456"  # type: ignore[attr-defined]


def test_outside_a_request_the_filter_adds_the_missing_value() -> None:
    json_record, plain_record = record(), record()
    RequestIdFilter().filter(json_record)
    RequestIdFilter(missing="-").filter(plain_record)
    assert json_record.request_id is None  # type: ignore[attr-defined]
    assert plain_record.request_id == "-"  # type: ignore[attr-defined]


def test_json_lines_carry_time_level_logger_message_request_id_and_extras() -> None:
    log_record = record("GET /x 200", status=200, path="/x")
    RequestIdFilter().filter(log_record)
    line = JsonFormatter().format(log_record)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "INFO"
    assert fields["logger"] == "masterclass.test"
    assert fields["message"] == "GET /x 200"
    assert fields["request_id"] is None
    assert fields["status"] == 200
    assert fields["path"] == "/x"
    assert fields["time"].endswith("+00:00")


def test_a_traceback_stays_on_one_json_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        log_record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    RequestIdFilter().filter(log_record)
    line = JsonFormatter().format(log_record)
    assert "\n" not in line
    assert "ValueError: boom" in json.loads(line)["exc_info"]


def test_settings_configure_the_console_handler_with_the_filter(settings) -> None:
    console = settings.LOGGING["handlers"]["console"]
    assert console["filters"] == ["request_id"]
    assert console["formatter"] == settings.LOG_FORMAT
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
