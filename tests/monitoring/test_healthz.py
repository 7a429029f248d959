import socket
import time
from collections.abc import Iterator

import pytest
from django.db import connections

from masterclass.celery import app as celery_app

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


def test_names_a_dead_broker_with_503(client, monkeypatch) -> None:
    # Nothing listens on this port: the connection is refused.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{free_port}/0")
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
