"""Fixtures shared by the whole suite: personas, a live Chromium, axe-core, a real Celery worker."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache

from courses import rendering
from masterclass import processes
from masterclass.databases import database_url
from tests.accounts.factories import PASSWORD, UserFactory, totp_code

BASE_DIR = Path(settings.BASE_DIR)
CHROMIUM = os.environ.get("MASTERCLASS_CHROMIUM", "/usr/bin/chromium")
AXE_JS = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"


# --- Personas -------------------------------------------------------------
@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def learner(db: None) -> Any:
    return UserFactory(email="learner@example.gov.uk", first_name="Alex", last_name="Learner")


@pytest.fixture
def other_learner(db: None) -> Any:
    return UserFactory(email="other.learner@example.gov.uk")


@pytest.fixture
def author(db: None) -> Any:
    return UserFactory(email="author@example.gov.uk", author=True, mfa=True)


@pytest.fixture
def site_admin(db: None) -> Any:
    return UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True, mfa=True)


# --- Isolation ------------------------------------------------------------
@pytest.fixture(scope="session", autouse=True)
def _remove_this_runs_broker_folder() -> Iterator[None]:
    yield
    if not settings.REDIS_URL:
        shutil.rmtree(settings.BROKER_DIR, ignore_errors=True)


@pytest.fixture(autouse=True)
def _clear_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Rate-limit counters live in the cache: start every database test with none."""
    uses_db = {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    if not uses_db:
        yield
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
    _empty_cache()
    yield
    _empty_cache()
    rendering.forget_local_copies()


def _empty_cache() -> None:
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")  # django-redis: only our KEY_PREFIX, not the broker's keys
    else:
        cache.clear()


# --- Browser --------------------------------------------------------------
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
            "(or set MASTERCLASS_CHROMIUM). Never `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh Chromium tab on the live server. Fails the test on any CSP violation."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not csp_errors, f"The page broke its Content Security Policy: {csp_errors}"


def assert_no_axe_violations(page: Any) -> None:
    """Run axe-core (WCAG 2.2 A and AA rules) on the page; fail listing any violation."""
    # page.evaluate runs through DevTools, outside the page's CSP.
    page.evaluate(AXE_JS.read_text() + "\n;undefined")
    results = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]}
        })"""
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
    ]
    assert not violations, f"axe-core found violations on {page.url}:\n" + "\n".join(violations)


@pytest.fixture
def axe() -> Any:
    return assert_no_axe_violations


@pytest.fixture
def sign_in(page: Any, password: str) -> Any:
    """Sign a persona in through the real sign-in form (and its MFA step, when they have one).

    A code is accepted once, so a second sign-in within the same 30 seconds waits for the next.
    """
    used: set[tuple[int, int]] = set()

    def _sign_in(user: Any) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        if "/accounts/2fa/authenticate" in page.url:
            while (user.pk, int(time.time()) // 30) in used:
                time.sleep(0.5)
            used.add((user.pk, int(time.time()) // 30))
            page.get_by_label("Code", exact=True).fill(totp_code(user))
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/accounts/2fa/authenticate" not in url)

    return _sign_in


# --- A real Celery worker -------------------------------------------------
class Worker:
    """A real `celery worker` process on the test database, started and stopped by tests."""

    def __init__(self, log_dir: Path, queues: list[str] | None = None, **env: str) -> None:
        from django.db import connection

        self.queues = queues or [
            settings.CELERY_TASK_DEFAULT_QUEUE,
            settings.GRADING_QUEUE,
            settings.EMAIL_QUEUE,
        ]
        self.log_path = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.env = {
            **os.environ,
            "DJANGO_ENV": "test",
            "DATABASE_URL": database_url(connection.settings_dict),
            "MASTERCLASS_TEST_RUN": settings.TEST_RUN,
            **env,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        try:
            self.process = processes.start_worker(
                queues=self.queues,
                hostname=f"test-{uuid.uuid4().hex[:8]}@%h",
                log_path=self.log_path,
                env=self.env,
            )
        except processes.WorkerNotReady as error:
            pytest.fail(str(error))
        return self

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgements, as when a machine dies."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def use_broker(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point this process's Celery app at another broker for one test (its connection pools
    are rebuilt, and all of it put back afterwards)."""
    from masterclass.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)


def dead_broker_url() -> str:
    """A Redis URL that nothing answers: connecting is refused at once."""
    return f"redis://127.0.0.1:{processes.free_port()}/0"


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """Celery's broker is down for this test: publishing fails after the short retries."""
    use_broker(dead_broker_url(), monkeypatch)


def empty_embedded_broker() -> None:
    if not settings.REDIS_URL:
        queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        shutil.rmtree(queue, ignore_errors=True)
        queue.mkdir(parents=True)


@pytest.fixture(scope="module")
def celery_worker(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worker]:
    """A worker for this test module, on the test database and the configured broker.

    Tests that use it must commit their data (mark them transactional_db).
    """
    empty_embedded_broker()
    worker = Worker(tmp_path_factory.mktemp("celery")).start()
    try:
        yield worker
    finally:
        worker.stop()


def wait_until(condition: Any, *, timeout: float = 30, interval: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    pytest.fail(f"Condition not met within {timeout} s")
