"""Learners for the load test (bench/loadtest.py starts locust with this file).

Each simulated learner is signed in already (a session made by the load test) and, with think
time between steps, reads the course page and lessons and answers exercises: it fetches the
form (for its CSRF token), posts an answer and polls the result a few times, as the page's
script does. The plan (sessions, pages, answers) comes from the JSON file LOADTEST_PLAN names.

A request that fails at the connection level (in flight on a web process that was killed,
or refused while one restarts) is retried once and counted apart. Every response is put in
one of a few categories; the totals are written to LOADTEST_RESULT when locust stops.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOADTEST_PLAN"]).read_text())
RESULT = Path(os.environ["LOADTEST_RESULT"])
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A form refused for a reason that is the learner's, not the site's: an expected outcome.
REFUSALS = ("You have used all your attempts", "You have already answered this exercise")

_identities = itertools.cycle(PLAN["learners"])
_lock = threading.Lock()
counts: Counter[str] = Counter()
latencies: dict[str, list[float]] = defaultdict(list)
page_times: list[tuple[float, float]] = []  # (when it started, ms): to set faults apart
server_errors: list[str] = []


def _count(name: str, amount: int = 1) -> None:
    with _lock:
        counts[name] += amount


# Seconds a learner pauses between steps, "low,high" (LOADTEST_THINK; 1 to 3 by default: a
# cohort clicking through together, far busier than people reading).
THINK = tuple(float(x) for x in os.environ.get("LOADTEST_THINK", "1,3").split(","))


class Learner(FastHttpUser):
    wait_time = between(THINK[0], THINK[-1])
    # A request left unanswered (a stuck web worker) fails within these, rather than hangs.
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self) -> None:
        with _lock:
            identity = next(_identities)
        self.headers = {
            "Cookie": f"{PLAN['session_cookie']}={identity['session']}; "
            f"{PLAN['csrf_cookie']}={identity['csrf']}"
        }

    def _call(self, method: str, url: str, *, name: str, kind: str, **kwargs: Any) -> Any:
        """One request, retried once if it never got an HTTP response. Returns the response,
        or None when both tries failed at the connection level."""
        kwargs.setdefault("headers", self.headers)
        for attempt in (1, 2):
            with self.client.request(
                method, url, name=name, allow_redirects=False, catch_response=True, **kwargs
            ) as response:
                status = response.status_code or 0
                if status == 0:  # no HTTP response at all: connection reset or refused
                    response.failure(f"connection error (try {attempt})")
                    _count("connection_errors")
                    if attempt == 1:
                        _count("connection_errors_retried")
                        continue
                    _count("connection_errors_not_recovered")
                    return None
                elapsed = response.request_meta["response_time"]
                with _lock:
                    latencies[kind].append(elapsed)
                    if kind == "page":
                        page_times.append((response.request_meta["start_time"], elapsed))
                    counts[f"{kind}_requests"] += 1
                    if attempt == 2:
                        counts["retries_answered"] += 1
                if status >= 500:
                    response.failure(f"HTTP {status}")
                    with _lock:
                        counts["server_errors"] += 1
                        server_errors.append(f"{time.time():.3f} {method} {url} HTTP {status}")
                else:
                    response.success()
                return response
        return None

    def _page(self, url: str, name: str) -> Any:
        response = self._call("GET", url, name=name, kind="page")
        if response is not None and response.status_code not in (200, *range(500, 600)):
            _count("unexpected_responses")
            response.failure(f"HTTP {response.status_code}")
        return response

    @task(1)
    def read_course(self) -> None:
        self._page(PLAN["course"], "course page")

    @task(4)
    def read_lesson(self) -> None:
        self._page(random.choice(PLAN["lessons"]), "lesson page")  # noqa: S311

    @task(3)
    def answer_exercise(self) -> None:
        exercise = random.choice(PLAN["exercises"])  # noqa: S311
        form = self._page(exercise["url"], "exercise page")
        if form is None or form.status_code != 200:
            return
        token = TOKEN.search(form.text or "")
        if token is None:
            _count("unexpected_responses")
            return
        time.sleep(random.uniform(1, 3))  # noqa: S311 (reading the question)
        fields = {**random.choice(exercise["answers"]), "csrfmiddlewaretoken": token[1]}  # noqa: S311
        posted = self._call(
            "POST", exercise["url"], name="answer (POST)", kind="answer",
            data=urllib.parse.urlencode(fields, doseq=True),
            headers={**self.headers, "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        if posted is None:
            return
        location = posted.headers.get("Location") or ""
        if posted.status_code == 302 and "#attempt-" in location:
            _count("submissions_accepted")
            self._poll(exercise["url"], int(location.rsplit("-", 1)[1]))
        elif posted.status_code == 400 and any(r in (posted.text or "") for r in REFUSALS):
            _count("answers_refused")  # attempts used up, or already right: the learner's case
        elif posted.status_code < 500:
            _count("unexpected_responses")
            posted.failure(f"answer not taken: HTTP {posted.status_code}")

    def _poll(self, exercise_url: str, submission_id: int) -> None:
        for _ in range(3):
            time.sleep(random.uniform(0.5, 1.5))  # noqa: S311
            url = f"{exercise_url}attempts/{submission_id}/result"
            response = self._call("GET", url, name="result (poll)", kind="result")
            if response is None or response.status_code != 200:
                if response is not None and response.status_code < 500:
                    _count("unexpected_responses")
                    response.failure(f"HTTP {response.status_code}")
                return
            if json.loads(response.text or "{}").get("final"):
                _count("results_seen_final")
                return


@events.test_start.add_listener
def _mark_start(environment: Any, **_kwargs: Any) -> None:
    """Tell the load test that the load has begun: its faults are timed from here."""
    RESULT.with_suffix(".started").write_text(str(time.time()))


@events.quitting.add_listener
def _write_result(environment: Any, **_kwargs: Any) -> None:
    with _lock:
        RESULT.write_text(
            json.dumps(
                {
                    "counts": dict(counts),
                    "latencies_ms": {k: sorted(v) for k, v in latencies.items()},
                    "page_times": page_times,
                    "server_errors": server_errors[:200],
                    "started": environment.stats.total.start_time,
                    "last_request": environment.stats.total.last_request_timestamp,
                }
            )
        )
