"""The cohort dashboard at 100, 1,000 and 10,000 learners, each with 60 exercises.

Called by bench/run.py on its throwaway database. For each size it generates a cohort whose
learners have read lessons and answered exercises (spread of progress, some inactive), lets
the real progress code count their totals, then renders the dashboard in process as an admin:
the median of several renders, and the queries of one. Figures go to var/bench.json as
``dashboard_<n>_ms``, ``dashboard_<n>_queries`` and ``dashboard_growth_<n>_vs_100``.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

SIZES = (100, 1_000, 10_000)
MODULES, LESSONS_PER_MODULE, EXERCISES_PER_MODULE = 6, 3, 10  # 60 exercises
RENDERS = 5
BATCH = 5_000
UNUSABLE = "!"  # a password hash that matches nothing: generated learners never sign in


@dataclass
class DashboardFigures:
    learners: int
    median_ms: float
    queries: int
    generate_s: float


def course_with_60_exercises() -> Any:
    from courses.models import Course, Lesson, Module
    from exercises.models import Exercise, Kind

    course = Course.objects.create(
        slug="bench-cohort-course", title="Bench course", summary="Benchmark.", published=True
    )
    for m in range(MODULES):
        module = Module.objects.create(course=course, slug=f"m{m}", title=f"Module {m + 1}",
                                       position=m + 1)  # fmt: skip
        for n in range(LESSONS_PER_MODULE):
            lesson = Lesson.objects.create(module=module, slug=f"l{n}", title=f"Lesson {n + 1}",
                                           body="Text.", position=n + 1)  # fmt: skip
            Exercise.objects.bulk_create(
                Exercise(
                    course=course, slug=f"e{m}-{n}-{k}", title=f"Question {m}.{n}.{k}",
                    kind=Kind.SINGLE_CHOICE, prompt="?", explanation=".", lesson=lesson,
                    spec={"options": [{"text": "A", "correct": True, "feedback": ""},
                                      {"text": "B", "correct": False, "feedback": ""}]},
                )
                for k in range(EXERCISES_PER_MODULE * (n + 1) // LESSONS_PER_MODULE
                               - EXERCISES_PER_MODULE * n // LESSONS_PER_MODULE)
            )  # fmt: skip
    return course


@contextlib.contextmanager
def dated_completions() -> Iterator[None]:
    """Lesson completions normally take the time they are saved; generated ones need theirs
    spread over the past weeks."""
    from courses.models import LessonCompletion

    field = LessonCompletion._meta.get_field("completed_at")
    field.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        field.auto_now_add = True  # type: ignore[attr-defined]


def generate_cohort(course: Any, size: int, facilitator: Any) -> Any:
    from accounts.models import User
    from cohorts.models import Cohort, Membership, ModuleSchedule
    from courses.models import Lesson, LessonCompletion
    from exercises.models import Exercise
    from progress.models import ExerciseProgress
    from progress.services import refresh_course_progress

    rng = random.Random(size)  # noqa: S311 (benchmark data)
    now = timezone.now()
    start = timezone.localdate() - datetime.timedelta(weeks=6)
    cohort = Cohort.objects.create(name=f"Bench {size}", course=course, start_date=start)
    cohort.facilitators.add(facilitator)
    for index, module in enumerate(course.modules.order_by("position")):
        release = start + datetime.timedelta(weeks=index)
        ModuleSchedule.objects.create(cohort=cohort, module=module, release_date=release,
                                      due_date=release + datetime.timedelta(days=7))  # fmt: skip
    User.objects.bulk_create(
        (
            User(
                email=f"bench-{size}-{i}@bench.example.gov.uk",
                first_name="Learner",
                last_name=f"{size}-{i}",
                password=UNUSABLE,
            )
            for i in range(size)
        ),
        batch_size=BATCH,
    )
    learners = list(
        User.objects.filter(email__startswith=f"bench-{size}-").values_list("pk", flat=True)
    )
    Membership.objects.bulk_create(
        (
            Membership(
                cohort=cohort,
                email=f"bench-{size}-{i}@bench.example.gov.uk",
                learner_id=pk,
                group=f"Department {i % 7}",
                joined_at=now - datetime.timedelta(weeks=6),
            )
            for i, pk in enumerate(learners)
        ),
        batch_size=BATCH,
    )
    lessons = list(
        Lesson.objects.filter(module__course=course)
        .order_by("module__position", "position")
        .values_list("pk", flat=True)
    )
    exercises_by_lesson: dict[int, list[int]] = {}
    for pk, lesson_id in Exercise.objects.filter(course=course).values_list("pk", "lesson_id"):
        exercises_by_lesson.setdefault(lesson_id, []).append(pk)

    completions: list[LessonCompletion] = []
    progress: list[ExerciseProgress] = []
    with dated_completions():
        for learner_id in learners:
            read = round(len(lessons) * rng.betavariate(2, 1.5))
            idle_days = rng.choice([0, 1, 2, 3, 5, 8, 20, 30])
            last = now - datetime.timedelta(days=idle_days)
            for position, lesson_id in enumerate(lessons[:read]):
                when = last - datetime.timedelta(days=(read - position))
                completions.append(LessonCompletion(learner_id=learner_id, lesson_id=lesson_id,
                                                    completed_at=when))  # fmt: skip
                for exercise_id in exercises_by_lesson.get(lesson_id, []):
                    attempts = rng.choice([1, 1, 1, 2, 3])
                    correct = rng.random() < 0.7
                    progress.append(ExerciseProgress(
                        learner_id=learner_id, exercise_id=exercise_id, course=course,
                        attempts=attempts, best_score=1.0 if correct else 0.0, correct=correct,
                        first_answered_at=when, last_answered_at=when,
                    ))  # fmt: skip
            if len(progress) > BATCH * 4:
                _flush(completions, progress)
        _flush(completions, progress)
    refresh_course_progress(course_id=course.pk)
    return cohort


def _flush(completions: list[Any], progress: list[Any]) -> None:
    from courses.models import LessonCompletion
    from progress.models import ExerciseProgress

    LessonCompletion.objects.bulk_create(completions, batch_size=BATCH)
    ExerciseProgress.objects.bulk_create(progress, batch_size=BATCH)
    completions.clear()
    progress.clear()


def render(client: Client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def run(admin: Any) -> list[DashboardFigures]:
    client = Client()
    client.force_login(admin)
    course = course_with_60_exercises()
    results = []
    for size in SIZES:
        started = time.perf_counter()
        with transaction.atomic():
            cohort = generate_cohort(course, size, admin)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        generated = time.perf_counter() - started
        url = reverse("cohorts:dashboard", kwargs={"cohort": cohort.pk})
        render(client, url)  # warm: template loading, the course's figures
        with CaptureQueriesContext(connection) as captured:
            render(client, url)
        queries = len(captured)  # now: the log it reads is cleared by the next request
        times = [render(client, url) for _ in range(RENDERS)]
        results.append(
            DashboardFigures(size, statistics.median(times), queries, round(generated, 1))
        )
    return results


def figures(results: list[DashboardFigures]) -> dict[str, float | int]:
    base = results[0].median_ms
    out: dict[str, float | int] = {}
    for r in results:
        out[f"dashboard_{r.learners}_ms"] = round(r.median_ms, 1)
        out[f"dashboard_{r.learners}_queries"] = r.queries
        out[f"dashboard_growth_{r.learners}_vs_{results[0].learners}"] = round(
            r.median_ms / base, 2
        )
    return out


def report(results: list[DashboardFigures]) -> None:
    print(f"\nCohort dashboard ({connection.vendor}), rendered in process as an admin, "
          f"median of {RENDERS}; 60 exercises, 18 lessons")  # fmt: skip
    header = f"{'learners':>10}{'ms':>10}{'growth':>9}{'queries':>9}{'generated in':>15}"
    print(header)
    print("-" * len(header))
    base = results[0].median_ms
    for r in results:
        print(f"{r.learners:>10,}{r.median_ms:>10.1f}{r.median_ms / base:>9.2f}"
              f"{r.queries:>9}{r.generate_s:>13.1f} s")  # fmt: skip
    largest = results[-1]
    verdict = "meets" if largest.median_ms < 1000 else "misses"
    growth = largest.median_ms / base
    print(f"{largest.learners:,} learners: {largest.median_ms:.0f} ms ({verdict} the goal of "
          f"1 s); {growth:.1f}x the {results[0].learners}-learner time for "
          f"{largest.learners // results[0].learners}x the learners")  # fmt: skip
