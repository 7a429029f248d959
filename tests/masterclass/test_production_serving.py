"""Production serving: gunicorn's settings from the environment, and WhiteNoise serving the
collected static files hashed, compressed and cached for ever, as production settings do."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import Worker, empty_embedded_broker, wait_until
from tests.masterclass.test_settings import PRODUCTION

GUNICORN_CONF = Path(settings.BASE_DIR) / "gunicorn.conf.py"
FOREVER = "max-age=315360000, public, immutable"


def gunicorn_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    for name in ("WEB_BIND", "WEB_HOST", "PORT", "WEB_CONCURRENCY", "WEB_THREADS",
                 "WEB_ACCESS_LOG", "FORWARDED_ALLOW_IPS", "WEB_MAX_REQUESTS"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


class TestGunicornSettings:
    def test_defaults_are_loopback_sync_workers_and_no_access_log(self, monkeypatch) -> None:
        conf = gunicorn_settings(monkeypatch)
        assert conf["bind"] == ["127.0.0.1:8000"]
        assert 1 <= conf["workers"] <= 8
        assert (conf["threads"], conf["worker_class"]) == (1, "sync")
        assert conf["accesslog"] is None
        assert conf["errorlog"] == "-"
        assert conf["max_requests"] == 20000 and conf["max_requests_jitter"] == 2000
        assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
        assert conf["preload_app"] is False

    def test_port_and_bind_come_from_the_environment(self, monkeypatch) -> None:
        assert gunicorn_settings(monkeypatch, PORT="9123")["bind"] == ["127.0.0.1:9123"]
        conf = gunicorn_settings(monkeypatch, PORT="9123", WEB_BIND="unix:/run/web.sock")
        assert conf["bind"] == ["unix:/run/web.sock"]

    def test_threads_switch_to_the_threaded_worker(self, monkeypatch) -> None:
        conf = gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3", WEB_THREADS="4")
        assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 4, "gthread")

    def test_proxies_to_trust_and_access_log_can_be_set(self, monkeypatch) -> None:
        conf = gunicorn_settings(monkeypatch, FORWARDED_ALLOW_IPS="10.0.0.5", WEB_ACCESS_LOG="-")
        assert conf["forwarded_allow_ips"] == "10.0.0.5"
        assert conf["accesslog"] == "-"

    @pytest.mark.parametrize(
        ("name", "value", "message"),
        [
            ("WEB_CONCURRENCY", "lots", "WEB_CONCURRENCY must be a whole number, not 'lots'."),
            ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY must be at least 1, not 0."),
            ("PORT", "http", "PORT must be a whole number, not 'http'."),
        ],
    )
    def test_a_bad_value_stops_start_up_with_a_message(
        self, monkeypatch, name: str, value: str, message: str
    ) -> None:
        with pytest.raises(SystemExit, match=re.escape(message)):
            gunicorn_settings(monkeypatch, **{name: value})

    def test_gunicorn_accepts_the_file(self) -> None:
        env = {**os.environ, "WEB_CONCURRENCY": "3", "WEB_THREADS": "2", "PORT": "9321"}
        result = subprocess.run(
            [str(Path(sys.executable).parent / "gunicorn"), "--print-config", "masterclass.wsgi"],
            cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        printed = dict(
            re.split(r"\s+=\s+", line, maxsplit=1)
            for line in result.stdout.splitlines()
            if " = " in line
        )
        assert printed["bind"] == "['127.0.0.1:9321']"
        assert (printed["workers"], printed["threads"]) == ("3", "2")
        assert printed["worker_class"] == "gthread"


# Runs under the production profile in its own process: collectstatic into a fresh folder,
# then requests through the WSGI application (WhiteNoise's middleware) as a browser would.
STATIC_CHECK = """
import json
from django.core.management import call_command
from django.conf import settings
from django.templatetags.static import static
from django.test import Client

call_command("collectstatic", "--noinput", verbosity=0)
client = Client(HTTP_HOST="masterclass.example.gov.uk")
hashed = static("build/main.css")
results = {"storage": settings.STORAGES["staticfiles"]["BACKEND"], "hashed": hashed}
for name, path, encoding in [
    ("hashed_gzip", hashed, "gzip"),
    ("hashed_plain", hashed, ""),
    ("unhashed", "/static/build/main.css", "gzip"),
    ("missing", "/static/build/nothing-here.css", "gzip"),
]:
    response = client.get(path, secure=True, HTTP_ACCEPT_ENCODING=encoding)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    results[name] = {
        "status": response.status_code,
        "cache_control": response.headers.get("Cache-Control", ""),
        "encoding": response.headers.get("Content-Encoding", ""),
        "vary": response.headers.get("Vary", ""),
        "length": len(body),
    }
print("RESULTS " + json.dumps(results))
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    var_dir = tmp_path_factory.mktemp("production-var")
    unset = {"DJANGO_ENV", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "EMAIL_URL"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + STATIC_CHECK],
        cwd=settings.BASE_DIR,
        env={
            **env,
            **PRODUCTION,
            "MASTERCLASS_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "masterclass.settings",
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULTS "))
    results: dict[str, Any] = json.loads(line.removeprefix("RESULTS "))
    results["static_root"] = var_dir / "staticfiles"
    return results


def test_production_collects_hashed_and_compressed_files(served: dict[str, Any]) -> None:
    assert served["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert re.fullmatch(r"/static/build/main\.[0-9a-f]{12}\.css", served["hashed"])
    collected = served["static_root"] / served["hashed"].removeprefix("/static/")
    assert collected.is_file()
    assert collected.with_name(collected.name + ".gz").is_file()


def test_hashed_files_are_cached_for_ever_and_sent_compressed(served: dict[str, Any]) -> None:
    gzip, plain = served["hashed_gzip"], served["hashed_plain"]
    assert gzip["status"] == plain["status"] == 200
    assert gzip["cache_control"] == plain["cache_control"] == FOREVER
    assert gzip["encoding"] in {"gzip", "br"}
    assert plain["encoding"] == ""
    assert "Accept-Encoding" in gzip["vary"]
    assert gzip["length"] < plain["length"] / 2


def test_unhashed_names_are_not_cached_for_ever(served: dict[str, Any]) -> None:
    unhashed = served["unhashed"]
    assert unhashed["status"] == 200
    assert "immutable" not in unhashed["cache_control"]


def test_a_missing_static_file_is_a_plain_404(served: dict[str, Any]) -> None:
    assert served["missing"]["status"] == 404


# --- Procfile.prod: the processes `make prod` starts ---------------------------------------
def procfile_prod() -> dict[str, str]:
    lines = (Path(settings.BASE_DIR) / "Procfile.prod").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_the_production_workers_consume_every_routed_queue_each_on_its_own() -> None:
    prefix = f"test-{settings.TEST_RUN}-"
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    wanted = {q.removeprefix(prefix) for q in {settings.CELERY_TASK_DEFAULT_QUEUE, *routed}}
    assert wanted == {"default", "grading", "email"}
    consumed = {
        name: re.search(r"--queues (\S+)", command).group(1)  # type: ignore[union-attr]
        for name, command in procfile_prod().items()
        if " worker " in command
    }
    assert consumed == {
        "worker-grading": "grading",
        "worker-default": "default",
        "worker-email": "email",
    }


def test_every_production_worker_keeps_its_connection_pool_between_tasks() -> None:
    # Celery 5.7 closes Django's connection pool around every task in a prefork worker
    # (celery/celery#10554); solo workers, scaled by running more of them, keep it.
    for name, command in procfile_prod().items():
        if " worker " in command:
            assert "--pool solo" in command, name
            assert "${HONCHO_PROCESS_NAME" in command, f"{name}: each copy needs its own name"
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    assert "--concurrency worker-grading=$(GRADING_CONCURRENCY)" in makefile


def test_production_runs_one_beat_and_gunicorn_with_its_config_file() -> None:
    processes = procfile_prod()
    assert [name for name, command in processes.items() if " beat" in command] == ["beat"]
    web = processes["web"]
    assert "gunicorn masterclass.wsgi" in web
    # Bind, workers and threads come from gunicorn.conf.py, read from the working directory.
    assert not re.search(r"--(bind|workers|threads|config)\b|-[bwc] ", web)


def _sessions_opened() -> int:
    """Sessions ever opened to the test database, as PostgreSQL counts them."""
    time.sleep(1.5)  # PostgreSQL publishes its statistics at most once a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_solo_worker_runs_many_tasks_on_one_pooled_connection(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's")
    from monitoring.tasks import record_heartbeat

    def finished() -> int:
        return len(re.findall(r"monitoring\.tasks\.record_heartbeat \S+ SUCCESS", worker.log))

    empty_embedded_broker()
    worker = Worker(tmp_path).start()
    try:
        record_heartbeat.apply_async()
        wait_until(lambda: finished() >= 1)
        before = _sessions_opened()
        for _ in range(40):
            record_heartbeat.apply_async()
        wait_until(lambda: finished() >= 41, timeout=60)
        opened = _sessions_opened() - before
    finally:
        worker.stop()
    # Without the pool each task would open (and close) its own: 40 or more.
    assert opened <= 2, f"{opened} new database sessions for 40 tasks"
