"""The load and fault test: `make loadtest`.

Simulated learners (locust, bench/locustfile.py) read lessons and answer exercises on a real
stack started for the run, on loopback only: gunicorn serving the project's WSGI app, two
Celery grading workers and beat (the sweeper), a throwaway PostgreSQL database and a Redis
server of its own on a free port. While they work, faults are injected: a worker is killed
with SIGKILL and started again, Redis is killed and started empty on the same port (what it
held is lost; the sweeper must send it again), and a web worker is killed (gunicorn starts
another). Afterwards, once the queue has drained, the database must show every answer graded
exactly once, with progress counts that match.

Environment: LOADTEST_SECONDS (180), LOADTEST_USERS (200), LOADTEST_WEB_WORKERS (3),
LOADTEST_THINK (seconds between a learner's steps, "1,3"), LOADTEST_DRAIN_SECONDS (180),
DATABASE_URL (postgres://postgres@127.0.0.1:5432/test: the
server to make the throwaway database on). Prints a table, adds loadtest_* figures to
var/bench.json, and exits non-zero if an answer was lost or graded twice, progress does not
match, or the site answered with a server error.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.pages import status_of  # noqa: E402
from masterclass.processes import free_port  # noqa: E402

SECONDS = int(os.environ.get("LOADTEST_SECONDS", "180"))
USERS = int(os.environ.get("LOADTEST_USERS", "200"))
WEB_WORKERS = int(os.environ.get("LOADTEST_WEB_WORKERS", "3"))
DRAIN_SECONDS = int(os.environ.get("LOADTEST_DRAIN_SECONDS", "180"))
# Short enough that answers lost with Redis come back within the run, long enough that a
# busy worker is not sent copies of what it is about to grade.
SWEEP_SECONDS = 3
RESEND_AFTER_SECONDS = 10
PASSWORD = "load-test-learner-pass"  # noqa: S105 (throwaway accounts in a throwaway database)
P95_GOAL_MS = 200
FAULT_WINDOW = 15  # seconds after a fault that the "away from faults" latency leaves out
THINK = os.environ.get("LOADTEST_THINK", "1,3").replace(",", " to ")
VENV_BIN = BASE_DIR / ".venv" / "bin"
# Latency depends on what else the machine is doing: the report says how busy it was.
LOAD_BEFORE = os.getloadavg()[0]
CORES = os.cpu_count() or 1


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"loadtest: {what} exited before it was ready")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"loadtest: {what} did not start within 30 s")


def stop(process: subprocess.Popen[bytes] | None, *, timeout: float = 15) -> None:
    """Stop a process this test started, and everything in its process group (gunicorn's
    workers): SIGTERM, then SIGKILL if it has not gone in time."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


class Redis:
    """A private redis-server on a free port, with nothing kept on disk, in its own folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        with open(self.folder / "redis.log", "ab") as log:
            self.process = subprocess.Popen(
                [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.folder)],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_for_port(self.port, self.process, "redis-server")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@dataclass
class Stack:
    """The processes of one run, all started by it and all stopped by it."""

    folder: Path
    env: dict[str, str]
    web_port: int = 0
    web: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes] | None] = field(default_factory=lambda: [None, None])
    beat: subprocess.Popen[bytes] | None = None

    def start_web(self) -> None:
        self.web_port = free_port()
        with open(self.folder / "gunicorn.log", "ab") as log:
            self.web = subprocess.Popen(
                [str(VENV_BIN / "gunicorn"), "masterclass.wsgi:application",
                 "--bind", f"127.0.0.1:{self.web_port}", "--workers", str(WEB_WORKERS),
                 "--worker-class", "sync", "--backlog", "2048", "--log-level", "warning"],
                cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_for_port(self.web_port, self.web, "gunicorn")

    def start_worker(self, index: int) -> None:
        from django.conf import settings

        from masterclass import processes

        queues = [settings.GRADING_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE]
        if getattr(settings, "EMAIL_QUEUE", None):
            queues.append(settings.EMAIL_QUEUE)
        try:
            self.workers[index] = processes.start_worker(
                queues=queues,
                hostname=f"load-{index}@%h",
                log_path=self.folder / f"worker-{index}.log",
                env=self.env,
                own_session=True,
            )
        except processes.WorkerNotReady as error:
            raise SystemExit(f"loadtest: {error}") from error

    def start_beat(self) -> None:
        with open(self.folder / "beat.log", "ab") as log:
            self.beat = subprocess.Popen(
                [str(VENV_BIN / "celery"), "-A", "masterclass", "beat", "--loglevel", "INFO",
                 "--schedule", str(self.folder / "beat-schedule")],
                cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def web_workers(self) -> list[int]:
        import psutil

        assert self.web is not None
        return [child.pid for child in psutil.Process(self.web.pid).children()]

    def stop(self) -> None:
        for process in [self.beat, *self.workers, self.web]:
            stop(process)


@dataclass
class Fault:
    name: str
    at: float  # seconds after the load started
    done_at: float | None = None
    wall_clock: float = 0.0
    note: str = ""


class Faults(threading.Thread):
    """Injects the faults at fixed points of the run, one after the other."""

    def __init__(self, stack: Stack, redis: Redis, started: float) -> None:
        super().__init__(daemon=True)
        self.stack, self.redis, self.started = stack, redis, started
        self.faults = [
            Fault("worker killed (SIGKILL) and started again", SECONDS * 0.25),
            Fault("Redis killed and started again, empty", SECONDS * 0.5),
            Fault("web worker killed (SIGKILL); gunicorn starts another", SECONDS * 0.75),
        ]
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for fault, action in zip(
                self.faults, (self._kill_worker, self._restart_redis, self._kill_web_worker),
                strict=True,
            ):  # fmt: skip
                if self.stopping.wait(max(0, self.started + fault.at - time.monotonic())):
                    return
                fault.done_at = time.monotonic() - self.started
                fault.wall_clock = time.time()
                fault.note = action()
        except BaseException as error:  # reported by the main thread
            self.error = error

    def _kill_worker(self) -> str:
        process = self.stack.workers[0]
        assert process is not None
        process.kill()
        process.wait()
        time.sleep(2)
        began = time.monotonic()
        self.stack.start_worker(0)
        return f"back and ready after {time.monotonic() - began + 2:.1f} s"

    def _restart_redis(self) -> str:
        began = time.monotonic()
        self.redis.kill()
        time.sleep(1)
        self.redis.start()
        return f"down for {time.monotonic() - began:.1f} s"

    def _kill_web_worker(self) -> str:
        victims = self.stack.web_workers()
        os.kill(victims[0], signal.SIGKILL)
        began = time.monotonic()
        while time.monotonic() - began < 30:
            now = self.stack.web_workers()
            if len(now) >= WEB_WORKERS and victims[0] not in now:
                return f"replaced after {time.monotonic() - began:.1f} s"
            time.sleep(0.1)
        return "not replaced within 30 s"


def prepare(folder: Path) -> dict[str, Any]:
    """Demo accounts, the sample course and the learners, signed in: the plan for locust."""
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.utils.crypto import get_random_string

    from accounts.demo import load_demo_accounts
    from accounts.models import User
    from courses import services
    from courses.models import Lesson

    load_demo_accounts()
    course = services.import_course(path=BASE_DIR / "content" / "data-masterclass")
    password = make_password(PASSWORD)  # hashed once: hashing 200 times would take a minute
    User.objects.bulk_create(
        User(email=f"load-{n}@load.example.gov.uk", first_name="Load", last_name=f"Learner {n}",
             password=password)
        for n in range(USERS)
    )  # fmt: skip
    learners = list(User.objects.filter(email__endswith="@load.example.gov.uk").order_by("pk"))
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in learners
    )
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore  # noqa: N806
    identities = []
    for learner in learners:
        # What signing in leaves behind, made directly: a session naming the user.
        session = SessionStore()
        session[SESSION_KEY] = str(learner.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
        session.create()
        csrf = get_random_string(32, allowed_chars=CSRF_ALLOWED_CHARS)
        identities.append({"session": session.session_key, "csrf": csrf})
    lessons = [
        lesson.get_absolute_url()
        for lesson in Lesson.objects.filter(module__course=course).select_related("module__course")
    ]
    plan = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "learners": identities,
        "course": course.get_absolute_url(),
        "lessons": lessons,
        "exercises": answer_plan(course),
    }
    (folder / "plan.json").write_text(json.dumps(plan))
    return plan


def answer_plan(course: Any) -> list[dict[str, Any]]:
    """For every exercise the pipeline grades, a few answers a learner might post: filled in
    from the exercise's own form, so that each is valid (right or wrong)."""
    from django import forms

    from exercises.forms import AnswerForm
    from exercises.models import Exercise, Kind

    plans = []
    for exercise in Exercise.objects.filter(course=course).exclude(kind=Kind.FREE_TEXT):
        form = AnswerForm(exercise=exercise)
        answers = []
        for variant in range(3):
            fields: dict[str, Any] = {}
            for name, form_field in form.fields.items():
                if name.startswith("item_"):  # ordering: 1..n, in order or reversed
                    position = int(name.split("_")[1])
                    count = len(exercise.spec["items"])
                    fields[name] = str(position + 1 if variant else count - position)
                elif isinstance(form_field, forms.MultipleChoiceField):
                    fields[name] = [str(v) for v, _ in _choices(form_field)][: variant + 1]
                elif isinstance(form_field, forms.ChoiceField):
                    values = [str(v) for v, _ in _choices(form_field) if v != ""]
                    fields[name] = values[variant % len(values)]
                elif name == "query":
                    reference = exercise.spec.get("reference") or "SELECT 1"
                    fields[name] = reference if variant else "SELECT 1 AS guess"
                elif name in ("low", "high", "value"):
                    fields[name] = {"low": "10", "high": "1,000"}.get(name, str(10 * variant + 1))
            answers.append(fields)
        plans.append({"url": exercise.get_absolute_url(), "answers": answers})
    return plans


def _choices(form_field: Any) -> list[tuple[Any, Any]]:
    return list(form_field.choices)


def warm_up(port: int, plan: dict[str, Any]) -> None:
    """Open every page the learners will, once: this fails fast if a learner cannot open one,
    and fills the page caches as a site in use has them (Redis's restart empties them again)."""
    identity = plan["learners"][0]
    cookie = (
        f"{plan['session_cookie']}={identity['session']}; {plan['csrf_cookie']}={identity['csrf']}"
    )
    for url in [plan["course"], *plan["lessons"], *(e["url"] for e in plan["exercises"])]:
        if (status := status_of(port, url, cookie)) != 200:
            raise SystemExit(f"loadtest: a signed-in learner gets HTTP {status} on {url}")


def run_locust(port: int, folder: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "LOADTEST_PLAN": str(folder / "plan.json"),
        "LOADTEST_RESULT": str(folder / "locust-result.json"),
    }
    with open(folder / "locust.log", "ab") as log:
        return subprocess.Popen(
            [str(VENV_BIN / "locust"), "-f", str(BASE_DIR / "bench" / "locustfile.py"),
             "--headless", "--users", str(USERS), "--spawn-rate", "20",
             "--run-time", f"{SECONDS}s", "--stop-timeout", "10",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(folder / "locust"),
             "--only-summary", "--loglevel", "WARNING", "--skip-log-setup"],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def wait_for_load(locust: subprocess.Popen[bytes], marker: Path) -> None:
    """Locust takes a few seconds to start (more on a busy machine): time faults from the
    moment its learners start, so that they land where the run says they do."""
    deadline = time.monotonic() + 60
    while not marker.exists():
        if locust.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("loadtest: locust did not start; see var/loadtest/locust.log")
        time.sleep(0.1)


def drain(timeout: float) -> float:
    """Wait until nothing is left to grade (beat's sweeper sends again what was lost)."""
    from exercises.models import State, Submission

    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if not Submission.objects.filter(state__in=[State.PENDING, State.GRADING]).exists():
            break
        time.sleep(1)
    return time.monotonic() - began


def check_database() -> dict[str, int]:
    """Every answer graded, each exactly once, and progress counted from them all."""
    from datetime import timedelta

    from django.db.models import Count, F, Q

    from exercises.models import State, Submission
    from progress.models import ExerciseProgress

    submissions = Submission.objects.filter(learner__email__endswith="@load.example.gov.uk")
    by_state = dict(submissions.values_list("state").annotate(n=Count("pk")).order_by())
    graded = by_state.get(State.GRADED, 0)
    # Attempts as progress counts them (progress.services.refresh_exercise_progress).
    counting = submissions.exclude(state=State.ERROR).filter(
        Q(counted=True) | Q(state=State.GRADED, correct=True)
    )
    counted = {
        (learner, exercise): n
        for learner, exercise, n in counting.values("learner_id", "exercise_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("learner_id", "exercise_id", "n")
    }
    recorded = {
        (learner, exercise): attempts
        for learner, exercise, attempts in ExerciseProgress.objects.filter(
            learner__email__endswith="@load.example.gov.uk"
        ).values_list("learner_id", "exercise_id", "attempts")
    }
    keys = set(counted) | {k for k, v in recorded.items() if v}
    mismatched = sum(1 for k in keys if counted.get(k, 0) != recorded.get(k, 0))
    return {
        "submissions": sum(by_state.values()),
        "graded": graded,
        "lost": sum(by_state.values()) - graded,  # pending, grading or error at the end
        "errors": by_state.get(State.ERROR, 0),
        "duplicates": submissions.filter(grading_runs__gt=1).count(),
        "graded_without_run": submissions.filter(state=State.GRADED, grading_runs=0).count(),
        "progress_mismatches": mismatched,
        # Evidence that the faults cost messages: answers the sweeper sent (again, or first
        # when the web could not reach the broker); the web sends as the answer is saved.
        "resent": submissions.filter(
            Q(send_count__gt=1) | Q(sent_at__gt=F("submitted_at") + timedelta(seconds=2))
        ).count(),
    }


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(len(values) * fraction))]


@contextmanager
def interrupts_as_exit() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP all stop the run the same way, so the clean-up always runs
    (SIGINT too is set here: a shell's background job starts with it ignored)."""

    def leave(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {s: signal.signal(s, leave) for s in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def main() -> int:
    folder = BASE_DIR / "var" / "loadtest"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    redis_folder = Path(tempfile.mkdtemp(prefix="loadtest-redis-"))
    redis = Redis(redis_folder)
    stack: Stack | None = None
    locust: subprocess.Popen[bytes] | None = None
    faults: Faults | None = None
    test_name = ""
    connection: Any = None
    try:
        with interrupts_as_exit():
            redis.start()
            os.environ.update(
                {
                    "DJANGO_ENV": "test",
                    "DATABASE_URL": os.environ.get(
                        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"
                    ),
                    "REDIS_URL": redis.url,
                    "MASTERCLASS_TEST_RUN": f"load{os.getpid()}",
                }
            )
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masterclass.settings")
            import django

            django.setup()
            from django.db import connection

            if connection.vendor != "postgresql":
                raise SystemExit("loadtest: DATABASE_URL must name a PostgreSQL server")
            from django.conf import settings as django_settings

            # This run's own name: two runs on one server never drop each other's database.
            test_name = f"loadtest_{connection.settings_dict['NAME']}_{django_settings.TEST_RUN}"
            connection.settings_dict["TEST"]["NAME"] = test_name
            began = time.monotonic()
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            from masterclass.databases import database_url

            plan = prepare(folder)
            setup_seconds = time.monotonic() - began
            connection.close()
            env = {
                **os.environ,
                "DATABASE_URL": database_url(connection.settings_dict),
                "SWEEP_SECONDS": str(SWEEP_SECONDS),
                "GRADING_RESEND_AFTER_SECONDS": str(RESEND_AFTER_SECONDS),
            }
            stack = Stack(folder=folder, env=env)
            stack.start_web()
            stack.start_worker(0)
            stack.start_worker(1)
            stack.start_beat()
            warm_up(stack.web_port, plan)
            print(
                f"Load test: {USERS} learners for {SECONDS} s on "
                f"http://127.0.0.1:{stack.web_port}/ (gunicorn, {WEB_WORKERS} workers; "
                f"2 Celery workers and beat; Redis on port "
                f"{redis.port}; database {connection.settings_dict['NAME']}). "
                f"Setup took {setup_seconds:.0f} s.",
                flush=True,
            )
            locust = run_locust(stack.web_port, folder)
            wait_for_load(locust, folder / "locust-result.started")
            started = time.monotonic()
            faults = Faults(stack, redis, started)
            faults.start()
            try:
                locust.wait(timeout=SECONDS + 120)
            except subprocess.TimeoutExpired:
                raise SystemExit(
                    f"loadtest: locust ran 120 s past its time; see {folder / 'locust.log'}"
                ) from None
            faults.stopping.set()
            faults.join(timeout=60)
            if faults.error is not None:
                raise SystemExit(f"loadtest: injecting a fault failed: {faults.error!r}")
            result_path = folder / "locust-result.json"
            if not result_path.exists():
                raise SystemExit(f"loadtest: locust wrote no result; see {folder / 'locust.log'}")
            load = json.loads(result_path.read_text())
            print(f"Load stopped; waiting for the queue to drain (up to {DRAIN_SECONDS} s)...",
                  flush=True)  # fmt: skip
            drained = drain(DRAIN_SECONDS)
            database = check_database()
            return report(load, database, faults.faults, drained)
    except KeyboardInterrupt:
        print("\nloadtest: interrupted; stopping everything it started", file=sys.stderr)
        return 130
    finally:
        if faults is not None:
            faults.stopping.set()
            faults.join(timeout=90)  # a fault half done (a worker starting) finishes first
        stop(locust)
        if stack is not None:
            stack.stop()
        if redis.process is not None:
            stop(redis.process)
        shutil.rmtree(redis_folder, ignore_errors=True)
        if test_name:
            destroy(connection, test_name)


def destroy(connection: Any, test_name: str) -> None:
    """Drop the throwaway database by its own name (never the one DATABASE_URL names, even
    when interrupted half-way through creating it), whoever is still connected to it."""
    assert test_name.startswith("loadtest_")
    connection.close()
    connection.close_pool()
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(
            f"DROP DATABASE IF EXISTS {connection.ops.quote_name(test_name)} WITH (FORCE)"
        )


def report(
    load: dict[str, Any], database: dict[str, int], faults: list[Fault], drained: float
) -> int:
    counts = load["counts"]
    latencies = load["latencies_ms"]
    pages = latencies.get("page", [])
    # The same pages without those that started in the FAULT_WINDOW seconds after a fault.
    calm = sorted(
        ms
        for at, ms in load.get("page_times", [])
        if not any(0 <= at - f.wall_clock < FAULT_WINDOW for f in faults if f.done_at is not None)
    )
    requests = sum(len(v) for v in latencies.values())
    first, last = load.get("started"), load.get("last_request")
    duration = float(last - first) if first and last and last > first else float(SECONDS)
    missing = max(0, counts.get("submissions_accepted", 0) - database["submissions"])
    figures = {
        "loadtest_users": USERS,
        "loadtest_think_seconds": THINK,
        "loadtest_seconds": round(duration, 1),
        "loadtest_requests": requests,
        "loadtest_requests_per_second": round(requests / duration, 1),
        "loadtest_page_p50_ms": round(percentile(pages, 0.5), 1),
        "loadtest_page_p95_ms": round(percentile(pages, 0.95), 1),
        "loadtest_page_p95_outside_faults_ms": round(percentile(calm, 0.95), 1),
        "loadtest_answer_p95_ms": round(percentile(latencies.get("answer", []), 0.95), 1),
        "loadtest_server_errors": counts.get("server_errors", 0),
        "loadtest_connection_errors_retried": counts.get("connection_errors_retried", 0),
        "loadtest_connection_errors_not_recovered": counts.get(
            "connection_errors_not_recovered", 0
        ),
        "loadtest_unexpected_responses": counts.get("unexpected_responses", 0),
        "loadtest_answers_accepted": counts.get("submissions_accepted", 0),
        "loadtest_submissions": database["submissions"],
        "loadtest_graded": database["graded"],
        # Pending or failed at the end, plus any answer the site accepted but did not keep.
        "loadtest_lost": database["lost"] + missing,
        "loadtest_duplicates": database["duplicates"] + database["graded_without_run"],
        "loadtest_progress_mismatches": database["progress_mismatches"],
        "loadtest_resent_by_sweeper": database["resent"],
        "loadtest_drain_seconds": round(drained, 1),
        "loadtest_load_average_before": round(LOAD_BEFORE, 2),
    }
    rows = [
        ("learners", f"{USERS}, pausing {THINK} s between steps"),
        ("duration", f"{duration:.0f} s"),
        ("requests", f"{requests}"),
        ("throughput", f"{figures['loadtest_requests_per_second']} req/s"),
        ("page latency p50", f"{figures['loadtest_page_p50_ms']} ms"),
        ("page latency p95", f"{figures['loadtest_page_p95_ms']} ms (goal < {P95_GOAL_MS})"),
        ("page p95 away from faults", f"{figures['loadtest_page_p95_outside_faults_ms']} ms "
         f"(not the {FAULT_WINDOW} s after each)"),
        ("answer POST p95", f"{figures['loadtest_answer_p95_ms']} ms"),
        ("5xx responses", f"{figures['loadtest_server_errors']} (goal 0)"),
        ("connection errors, retried", f"{figures['loadtest_connection_errors_retried']} "
         f"({figures['loadtest_connection_errors_not_recovered']} failed again)"),
        ("other unexpected responses", f"{figures['loadtest_unexpected_responses']}"),
        ("answers accepted (HTTP)", f"{figures['loadtest_answers_accepted']}"),
        ("submissions in database", f"{database['submissions']}"),
        ("graded", f"{database['graded']}"),
        ("lost", f"{figures['loadtest_lost']} (goal 0)"),
        ("sent by the sweeper", f"{database['resent']}"),
        ("graded twice", f"{figures['loadtest_duplicates']} (goal 0)"),
        ("progress mismatches", f"{figures['loadtest_progress_mismatches']} (goal 0)"),
        ("queue drained after load", f"{drained:.1f} s"),
        ("machine load before the run", f"{LOAD_BEFORE:.1f} (1-minute average, {CORES} cores)"),
    ]  # fmt: skip
    print("\nLoad and fault test")
    for label, value in rows:
        print(f"  {label:<30}{value}")
    print("Faults injected, and any server errors (seconds after the load started)")
    for number, fault in enumerate(faults, start=1):
        if fault.done_at is None:
            print(f"  not reached  {fault.name}")
            continue
        after = sorted(
            ms for at, ms in load.get("page_times", []) if 0 <= at - fault.wall_clock < FAULT_WINDOW
        )
        p95 = percentile(after, 0.95)
        print(f"  {fault.done_at:6.1f} s  {fault.name}: {fault.note}; "
              f"page p95 in the next {FAULT_WINDOW} s: {p95:.0f} ms")  # fmt: skip
        figures[f"loadtest_fault_{number}_at_s"] = round(fault.done_at, 1)
        figures[f"loadtest_fault_{number}_page_p95_ms"] = round(p95, 1)
    for line in load.get("server_errors", [])[:10]:
        at, rest = line.split(" ", 1)
        print(f"  {float(at) - (first or 0):6.1f} s  {rest}")
    save(figures)
    failed = [
        label
        for label, bad in (
            ("answers lost", figures["loadtest_lost"]),
            ("answers graded twice", figures["loadtest_duplicates"]),
            ("progress counts that do not match", figures["loadtest_progress_mismatches"]),
            ("5xx responses", figures["loadtest_server_errors"]),
            ("requests that failed twice", figures["loadtest_connection_errors_not_recovered"]),
            ("unexpected responses", figures["loadtest_unexpected_responses"]),
            ("faults not injected", sum(f.done_at is None for f in faults)),
        )
        if bad
    ]
    if failed:
        print(f"\nFAILED: {', '.join(failed)}. Logs: var/loadtest/")
        return 1
    print("\nEvery answer was graded exactly once. Logs: var/loadtest/")
    return 0


def save(figures: dict[str, Any]) -> None:
    """Add the figures to var/bench.json, keeping those the benchmarks wrote."""
    path = BASE_DIR / "var" / "bench.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    saved.update(figures)
    path.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.exit(main())
