import logging
import re

import pytest
from django.test import Client

from monitoring import errors
from monitoring.middleware import REQUEST_ID_HEADER
from tests.monitoring.conftest import as_json

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.monitoring.urls")]

HEX_ID = re.compile(r"[0-9a-f]{32}")


def request_lines(logs: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in logs.records if r.name == "masterclass.request"]


def test_every_answer_carries_a_new_request_id(client) -> None:
    first = client.get("/healthz")[REQUEST_ID_HEADER]
    second = client.get("/healthz")[REQUEST_ID_HEADER]
    assert HEX_ID.fullmatch(first)
    assert HEX_ID.fullmatch(second)
    assert first != second


def test_an_incoming_request_id_round_trips(client) -> None:
    response = client.get("/healthz", headers={REQUEST_ID_HEADER: "lb-Abc.123_xyz"})
    assert response[REQUEST_ID_HEADER] == "lb-Abc.123_xyz"


@pytest.mark.parametrize(
    "incoming", ["short", "x" * 65, "has spaces in it", "<script>alert(1)</script>", "a;b=c,d:e"]
)
def test_a_bad_incoming_request_id_is_replaced(client, logs, incoming: str) -> None:
    response = client.get("/", headers={REQUEST_ID_HEADER: incoming})
    assert HEX_ID.fullmatch(response[REQUEST_ID_HEADER])
    (line,) = request_lines(logs)
    assert as_json(line)["request_id"] == response[REQUEST_ID_HEADER]
    assert incoming not in logs.text


def test_every_log_record_of_a_request_carries_its_id(client, logs) -> None:
    Client(raise_request_exception=False).get(
        "/test/broken/", headers={REQUEST_ID_HEADER: "trace-me-5678"}
    )
    # Django's own error report and the request line, both tagged.
    lines = [as_json(r) for r in logs.records]
    assert {line["logger"] for line in lines} >= {"django.request", "masterclass.request"}
    assert {line["request_id"] for line in lines} == {"trace-me-5678"}


def test_the_request_line_has_the_fields(client, learner, logs) -> None:
    client.force_login(learner)
    response = client.get("/test/who-am-i/?email=learner@example.gov.uk&q=secret")
    (line,) = [as_json(r) for r in request_lines(logs)]
    assert line["logger"] == "masterclass.request"
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["path"] == "/test/who-am-i/"
    assert line["route"] == "who_am_i"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["user_id"] == learner.pk
    assert line["bytes"] == len(response.content)
    assert line["db_queries"] >= 1  # the user (and the session, unless it is cached)
    assert line["request_id"] == response[REQUEST_ID_HEADER]


def test_the_request_line_holds_no_query_string_or_email(client, learner, logs) -> None:
    client.force_login(learner)
    client.get("/test/who-am-i/?email=learner@example.gov.uk&token=abc")
    (record,) = request_lines(logs)
    text = str(as_json(record))
    assert "learner@example.gov.uk" not in text
    assert "token=abc" not in text
    assert "?" not in text


def test_secret_url_parts_are_redacted(client, logs) -> None:
    client.get("/test/confirm/Mjk:1vX9aB:supersecretkey/")
    (record,) = request_lines(logs)
    line = as_json(record)
    assert "supersecretkey" not in str(line)
    assert line["path"] == "/test/confirm/[redacted]/"


def test_an_unknown_path_is_logged_without_a_route(client, logs) -> None:
    assert client.get("/no/such/page/").status_code == 404
    (record,) = request_lines(logs)
    assert as_json(record)["route"] is None
    assert as_json(record)["status"] == 404


def test_successful_health_checks_are_not_logged_but_failures_are(client, logs) -> None:
    assert client.get("/healthz").status_code == 200
    assert request_lines(logs) == []
    client.get("/static/no-such-file.css")
    (record,) = request_lines(logs)
    assert as_json(record)["status"] == 404


def test_server_errors_are_logged_as_errors_and_counted(logs) -> None:
    client = Client(raise_request_exception=False)
    before = errors.recent_error_counts()[errors.SERVER_ERRORS]
    assert client.get("/test/broken/").status_code == 500
    assert client.get("/test/unavailable/").status_code == 503
    assert client.get("/no/such/page/").status_code == 404
    assert errors.recent_error_counts()[errors.SERVER_ERRORS] == before + 2
    levels = [(r.status, r.levelname) for r in request_lines(logs)]  # type: ignore[attr-defined]
    assert levels == [(500, "ERROR"), (503, "ERROR"), (404, "INFO")]


def test_a_failing_health_check_is_a_warning_not_a_server_error(client, logs, broker_down) -> None:
    before = errors.recent_error_counts()[errors.SERVER_ERRORS]
    assert client.get("/healthz").status_code == 503
    assert errors.recent_error_counts()[errors.SERVER_ERRORS] == before
    (record,) = request_lines(logs)
    assert (record.status, record.levelname) == (503, "WARNING")  # type: ignore[attr-defined]


def test_a_cache_failure_does_not_break_a_request(broken_cache, logs) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/test/unavailable/")
    assert response.status_code == 503
    assert response.content == b"down for a moment"
    assert "Could not count a server_errors" in logs.text
    assert client.get("/healthz").status_code == 200


def test_djangos_own_lines_carry_the_id_and_never_the_query_string(logs) -> None:
    client = Client(raise_request_exception=False)
    client.get(
        "/test/broken/?email=learner@example.gov.uk", headers={REQUEST_ID_HEADER: "id-500-abc"}
    )
    # Django logs "Not Found" after every middleware has returned.
    client.get(
        "/no/such/page/?email=learner@example.gov.uk", headers={REQUEST_ID_HEADER: "id-404-abc"}
    )
    lines = [as_json(r) for r in logs.records if r.name == "django.request"]
    assert [(line["status_code"], line["request_id"]) for line in lines] == [
        (500, "id-500-abc"),
        (404, "id-404-abc"),
    ]
    assert "learner@example.gov.uk" not in str(lines)
    assert all("request" not in line for line in lines)
