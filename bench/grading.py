"""Grading benchmarks: from the HTTP POST of an answer to its graded result being stored, and
gradings per second for one worker process. Called by bench/run.py with its server running."""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from django.conf import settings

from masterclass import processes

BASE_DIR = Path(__file__).resolve().parent.parent
MINI_COURSE = BASE_DIR / "tests" / "courses" / "fixtures" / "mini-course"


@dataclass
class GradingFigures:
    simple_ms: list[float]
    sql_ms: list[float]
    per_second: float
    worker_batch: int


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    log.unlink(missing_ok=True)
    try:
        return processes.start_worker(
            queues=[settings.CELERY_TASK_DEFAULT_QUEUE, settings.GRADING_QUEUE],
            hostname="bench@%h",
            log_path=log,
            env=env,
        )
    except processes.WorkerNotReady as error:
        raise SystemExit(f"bench: {error}") from error


class Learner:
    """An HTTP client with a learner's session, posting answers like a browser."""

    def __init__(self, port: int, session_cookie: str) -> None:
        self.port = port
        self.cookies = {settings.SESSION_COOKIE_NAME: session_cookie}

    def _request(self, method: str, url: str, body: str | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Host": "127.0.0.1",
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, url, body=body, headers=headers)
        response = conn.getresponse()
        response.read_body = response.read()  # type: ignore[attr-defined]
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        conn.close()
        return response

    def answer(self, url: str, fields: dict[str, str]) -> tuple[int, float]:
        page = self._request("GET", url)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read_body)  # type: ignore[attr-defined]
        if token is None:
            raise SystemExit(f"bench: no form on {url} (HTTP {page.status})")
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token[1].decode()})
        started = time.time()
        response = self._request("POST", url, body)
        location = response.headers.get("Location", "")
        if response.status != 302 or "#attempt-" not in location:
            raise SystemExit(f"bench: answering {url} gave HTTP {response.status}")
        return int(location.rsplit("-", 1)[1]), started


def wait_graded(submission_id: int, started: float) -> float:
    from exercises.models import Submission

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        graded_at = (
            Submission.objects.filter(pk=submission_id, graded_at__isnull=False)
            .values_list("graded_at", flat=True)
            .first()
        )
        if graded_at is not None:
            return (graded_at.timestamp() - started) * 1000
        time.sleep(0.001)
    raise SystemExit(f"bench: submission {submission_id} was not graded within 30 s")


def run(port: int, session_cookie: str, env: dict[str, str], log_dir: Path,
        simple: int = 100, sql: int = 30, batch: int = 1000) -> GradingFigures:  # fmt: skip
    from accounts.models import User
    from courses import services as course_services
    from exercises.models import Exercise, State, Submission
    from exercises.services import send_for_grading

    course_services.import_course(path=MINI_COURSE)
    worker = start_worker(env, log_dir / "bench-worker.log")
    try:
        client = Learner(port, session_cookie)
        order = "/courses/mini-course/exercises/order-years/"
        wrong_order = {"item_0": "4", "item_1": "3", "item_2": "2", "item_3": "1"}
        for _ in range(5):  # warm up the worker and the server
            wait_graded(*client.answer(order, wrong_order))
        simple_ms = [wait_graded(*client.answer(order, wrong_order)) for _ in range(simple)]
        sql_url = "/courses/mini-course/exercises/wet-years/"
        query = {"query": "SELECT year FROM nile_sample WHERE volume > 1100 ORDER BY year"}
        sql_ms = [wait_graded(*client.answer(sql_url, query)) for _ in range(sql)]

        # Throughput: a backlog of answers, all sent at once, for the one worker to grade: one
        # answer from each of a thousand learners, as when a cohort answers at the same time.
        exercise = Exercise.objects.get(course__slug="mini-course", slug="order-years")
        User.objects.bulk_create(
            User(email=f"bench-grading-{i}@bench.example.gov.uk", password="!")  # noqa: S106
            for i in range(batch)
        )
        learners = User.objects.filter(email__startswith="bench-grading-").values_list(
            "pk", flat=True
        )
        Submission.objects.bulk_create(
            Submission(exercise=exercise, learner_id=learner, answer={"order": [3, 2, 1, 0]},
                       attempt=1, exercise_version=exercise.version, state=State.PENDING)
            for learner in learners
        )  # fmt: skip
        ids = list(Submission.objects.filter(state=State.PENDING).values_list("pk", flat=True))
        for submission_id in ids:
            send_for_grading(submission_id=submission_id)
        started = time.monotonic()
        first_done = last_done = None
        while time.monotonic() - started < 300:
            done = Submission.objects.filter(pk__in=ids, state=State.GRADED).count()
            if done and first_done is None:
                first_done = time.monotonic()
            if done == len(ids):
                last_done = time.monotonic()
                break
            time.sleep(0.05)
        if last_done is None:
            raise SystemExit("bench: the batch was not graded within 5 minutes")
        runs = Submission.objects.filter(pk__in=ids)
        ends = [t for t in runs.values_list("graded_at", flat=True) if t is not None]
        starts = [t for t in runs.values_list("started_at", flat=True) if t is not None]
        span = (max(ends) - min(starts)).total_seconds()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return GradingFigures(simple_ms, sql_ms, len(ids) / span, len(ids))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def figures(result: GradingFigures) -> dict[str, Any]:
    return {
        "grading_p50_ms": round(statistics.median(result.simple_ms), 2),
        "grading_p99_ms": round(percentile(result.simple_ms, 0.99), 2),
        "sql_grading_p50_ms": round(statistics.median(result.sql_ms), 2),
        "sql_grading_p99_ms": round(percentile(result.sql_ms, 0.99), 2),
        "gradings_per_second_per_worker": round(result.per_second, 1),
    }
