"""Masterclass benchmarks: `make bench`.

Every figure is measured side by side with a baseline from the same run: a bare
view that renders a minimal template through the same middleware, for the same
user. Prints a table and writes flat figures to var/bench.json. Runs on a
throwaway database (created and dropped here), on SQLite by default or on the
server that DATABASE_URL names.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DJANGO_ENV"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masterclass.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "300"))
WARMUP = 30


@dataclass
class PageResult:
    name: str
    per_second: float
    mean_ms: float
    p95_ms: float
    queries: int
    baseline_per_second: float

    @property
    def ratio(self) -> float:
        return self.per_second / self.baseline_per_second


def time_requests(client: Client, url: str) -> tuple[list[float], int]:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with override_settings(DEBUG=True):
        reset_queries()
        client.get(url)
        queries = len(connection.queries)
    durations = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        durations.append(time.perf_counter() - started)
    return durations, queries


def measure_page(name: str, client: Client, url: str) -> PageResult:
    # Interleave page and baseline so that machine noise hits both alike.
    page, queries = time_requests(client, url)
    baseline, _ = time_requests(client, "/bench/baseline")
    return PageResult(
        name=name,
        per_second=len(page) / sum(page),
        mean_ms=statistics.mean(page) * 1000,
        p95_ms=statistics.quantiles(page, n=20)[-1] * 1000,
        queries=queries,
        baseline_per_second=len(baseline) / sum(baseline),
    )


def main() -> int:
    from accounts.demo import load_demo_accounts
    from accounts.models import User
    from courses import services
    from courses.models import Lesson

    # No setup_test_environment(): its template instrumentation would slow every page.
    connection.settings_dict["TEST"]["NAME"] = (
        str(settings.VAR_DIR / "bench.sqlite3")
        if connection.vendor == "sqlite"
        else f"bench_{connection.settings_dict['NAME']}"
    )
    phases: dict[str, float] = {}
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    phases["create database"] = time.perf_counter() - started
    try:
        with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
            load_demo_accounts()
            started = time.perf_counter()
            services.import_course(path=BASE_DIR / "content" / "data-masterclass")
            phases["import sample course"] = time.perf_counter() - started
            # The lesson with the most charts: the heaviest page a learner reads.
            lesson = max(
                Lesson.objects.select_related("module__course"),
                key=lambda x: x.body.count("{{ chart:"),
            )
            anonymous = Client()
            learner = Client()
            learner.force_login(User.objects.get(email="learner@example.gov.uk"))
            pages: list[tuple[str, Client, str]] = [
                ("home (signed out)", anonymous, "/"),
                ("home (learner)", learner, "/"),
                ("sign-in page", anonymous, "/accounts/login/"),
                ("healthz", anonymous, "/healthz"),
                ("course page", learner, "/courses/data-masterclass/"),
                ("lesson page", learner, lesson.get_absolute_url()),
            ]
            results = []
            for name, client, url in pages:
                started = time.perf_counter()
                results.append(measure_page(name, client, url))
                phases[name] = time.perf_counter() - started
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    report(results, phases)
    return 0


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_").replace("__", "_")


def report(results: list[PageResult], phases: dict[str, float]) -> None:
    print(f"\nPages, in process ({REQUESTS} requests each, database: {connection.vendor})")
    header = f"{'page':<22}{'req/s':>9}{'baseline':>10}{'ratio':>8}{'mean ms':>9}{'p95 ms':>8}"
    print(header + f"{'queries':>9}")
    print("-" * (len(header) + 9))
    for r in results:
        print(
            f"{r.name:<22}{r.per_second:>9.0f}{r.baseline_per_second:>10.0f}{r.ratio:>8.2f}"
            f"{r.mean_ms:>9.2f}{r.p95_ms:>8.2f}{r.queries:>9}"
        )
    lesson = next(r for r in results if r.name == "lesson page")
    verdict = "meets" if lesson.ratio >= 0.5 else "misses"
    print(
        f"\nlesson page vs bare view: {lesson.ratio:.2f} ({verdict} the goal of 0.5), "
        f"{lesson.queries} queries"
    )
    print("\nWhere the time went")
    for phase, seconds in phases.items():
        print(f"  {phase:<24}{seconds:>7.1f} s")

    figures: dict[str, float | int | str] = {}
    path = settings.VAR_DIR / "bench.json"
    if path.exists():
        figures.update(json.loads(path.read_text()))  # keep figures other benchmarks wrote
    figures["database"] = connection.vendor
    by_name = {r.name: r for r in results}
    lesson = by_name["lesson page"]
    # The figures the courses work promised by these names.
    figures["lesson_page_vs_bare_view"] = round(lesson.ratio, 3)
    figures["lesson_page_queries"] = lesson.queries
    for r in results:
        key = slug(r.name)
        figures[f"page_{key}_per_second"] = round(r.per_second, 1)
        figures[f"page_{key}_ratio_to_baseline"] = round(r.ratio, 3)
        figures[f"page_{key}_p95_ms"] = round(r.p95_ms, 2)
        figures[f"page_{key}_queries"] = r.queries
    path.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(f"\nWrote {path}")


if __name__ == "__main__":
    sys.exit(main())
