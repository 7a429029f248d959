"""Reads for exercises: what a learner may see, their attempts, and the data graders need."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from courses import rendering
from courses.content.datasets import column_list
from courses.models import Course, Dataset
from courses.selectors import Person
from exercises.content import sql_tables
from exercises.models import Exercise, State, Submission


def exercise_for(*, course: Course, slug: str) -> Exercise:
    return get_object_or_404(
        Exercise.objects.select_related("course", "chart"), course=course, slug=slug
    )


def attempts_for(*, learner: Person, exercise: Exercise) -> QuerySet[Submission]:
    return Submission.objects.filter(exercise=exercise, learner=learner.pk).order_by("submitted_at")


def counted_attempts(*, learner: Person, exercise: Exercise) -> int:
    return (
        attempts_for(learner=learner, exercise=exercise)
        .filter(counted=True)
        .exclude(state=State.ERROR)
        .count()
    )


def variant_for(*, learner_id: int, exercise: Exercise) -> str:
    """The learner's own variant of a parametrised exercise: fixed by a per-learner seed, so it
    is the same on every visit, and differs between learners."""
    values = exercise.spec.get("variants", {}).get("values") or []
    if not values:
        return ""
    seed = hashlib.sha256(f"{learner_id}:{exercise.course_id}:{exercise.slug}".encode()).digest()
    return str(values[int.from_bytes(seed[:8], "big") % len(values)])


class CourseData:
    """Dataset rows and SQL tables for grading, loaded once per dataset per process."""

    def __init__(self, course_id: int) -> None:
        self.course_id = course_id
        self._datasets: dict[str, Dataset] = {}

    def dataset(self, slug: str) -> Dataset:
        if slug not in self._datasets:
            self._datasets[slug] = Dataset.objects.get(course_id=self.course_id, slug=slug)
        return self._datasets[slug]

    def rows(self, dataset: str) -> list[dict[str, Any]]:
        return rendering.dataset_rows(self.dataset(dataset))

    def sql_tables(self, datasets: list[str]) -> list[Any]:
        columns = {slug: column_list(self.dataset(slug).columns) for slug in datasets}
        rows = {slug: self.rows(slug) for slug in datasets}
        return sql_tables(datasets, columns, rows)

    def version_key(self, datasets: list[str]) -> str:
        return ",".join(f"{d}@{self.dataset(d).updated_at.isoformat()}" for d in datasets)
