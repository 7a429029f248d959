import socket
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from masterclass.celery import app as celery_app
from monitoring.models import WorkerHeartbeat
from tests.conftest import dead_broker_url, use_broker

pytestmark = pytest.mark.django_db


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts TCP connections and then never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server.getsockname()[1]
    server.close()


def test_reports_ok_without_signing_in(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_only_reads(client) -> None:
    assert client.post("/healthz").status_code == 405


def test_names_a_dead_broker_with_503(client, broker_down) -> None:
    # Nothing listens on its port: the connection is refused.
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error"}


def test_a_hung_broker_times_out_instead_of_hanging(client, monkeypatch, black_hole) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{black_hole}/0")
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["broker"] in {"timeout", "error"}
    assert elapsed < 3, f"/healthz took {elapsed:.1f} s"


def test_an_unwritable_embedded_broker_is_reported(client, monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(celery_app.conf, "broker_url", "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "broker_transport_options",
        {"data_folder_in": str(tmp_path / "missing"), "data_folder_out": str(tmp_path)},
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


def test_names_a_dead_database_with_503(client, monkeypatch, black_hole, tmp_path) -> None:
    broken = dict(connections.settings["default"])
    if broken["ENGINE"].endswith("sqlite3"):
        broken["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        broken.update(HOST="127.0.0.1", PORT=str(black_hole))
    monkeypatch.setitem(connections.settings, "default", broken)
    started = time.monotonic()
    response = client.get("/healthz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json()["database"] in {"error", "timeout"}
    assert response.json()["broker"] == "ok"


# --- ?full=1: the figures, for signed-in admins only ------------------------------------------
BASIC = {"database": "ok", "broker": "ok"}


@pytest.fixture
def fresh_worker() -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(hostname="w@one", last_seen_at=timezone.now())


def test_full_answer_for_an_admin_has_the_figures(client, site_admin, fresh_worker) -> None:
    client.force_login(site_admin)
    response = client.get("/healthz?full=1")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in BASIC} == BASIC
    assert body["healthy"] is True
    assert set(body["queues"]) == {"grading", "default", "email"}
    assert all(isinstance(depth, int) for depth in body["queues"].values())
    assert body["submissions_waiting"] == 0
    assert body["oldest_pending_seconds"] is None
    assert body["grading_latency_seconds"] == {
        "graded_last_hour": 0,
        "p50": None,
        "p95": None,
        "p99": None,
    }
    assert body["fresh_workers"] == 1
    assert body["workers"][0]["hostname"] == "w@one"
    assert body["workers"][0]["fresh"] is True
    assert body["errors_last_hour"] == {"failed_gradings": 0, "server_errors": 0, "failed_tasks": 0}
    assert "no-cache" in response["Cache-Control"]


def test_full_answer_is_503_when_no_worker_heartbeat_is_fresh(client, site_admin) -> None:
    WorkerHeartbeat.objects.create(
        hostname="w@old", last_seen_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(site_admin)
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    assert response.json()["fresh_workers"] == 0
    assert response.json()["workers"][0]["fresh"] is False
    # The plain answer, for load balancers, does not depend on workers.
    assert client.get("/healthz").status_code == 200


def test_full_answer_is_503_when_a_basic_check_fails(
    client, site_admin, fresh_worker, broker_down
) -> None:
    client.force_login(site_admin)
    response = client.get("/healthz?full=1")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"] == "error"
    assert body["queues"] == {"grading": None, "default": None, "email": None}


def test_a_load_balancer_asking_for_the_full_answer_gets_the_basic_one(client) -> None:
    response = client.get("/healthz?full=1")
    assert response.status_code == 200
    assert response.json() == BASIC


def test_signed_in_non_admins_get_the_basic_answer(client, learner, author) -> None:
    for person in (learner, author):
        client.force_login(person)
        response = client.get("/healthz?full=1")
        assert (response.status_code, response.json()) == (200, BASIC)


@pytest.mark.parametrize("value", ["0", "true", "yes", "", "1 ", "%00"])
def test_other_values_of_full_get_the_basic_answer(client, site_admin, value) -> None:
    client.force_login(site_admin)
    response = client.get(f"/healthz?full={value}")
    assert (response.status_code, response.json()) == (200, BASIC)


def test_anonymous_full_request_is_503_only_when_a_basic_check_fails(client, monkeypatch) -> None:
    """Same status rules as the basic answer: no fresh worker here, still 200."""
    assert client.get("/healthz?full=1").status_code == 200
    use_broker(dead_broker_url(), monkeypatch)
    response = client.get("/healthz?full=1")
    assert (response.status_code, response.json()) == (503, {"database": "ok", "broker": "error"})
