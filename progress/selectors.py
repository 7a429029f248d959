"""Reads of a learner's own progress. Every function takes the learner and returns only their
records: progress pages have no URL naming another learner."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from courses.models import Course, LessonCompletion
from exercises.models import Exercise, State, Submission
from progress.models import Certificate, CourseProgress, ExerciseProgress


class LessonStatus:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    READ = "read"

    LABELS = {NOT_STARTED: "Not started", IN_PROGRESS: "In progress", READ: "Read"}


def lesson_statuses(*, learner: User, course: Course) -> dict[int, str]:
    """Lesson id → status, for the lessons the learner has read or started (an answer to an
    exercise the lesson embeds); any lesson missing is not started. One query."""
    read = LessonCompletion.objects.filter(
        learner=learner.pk, lesson__module__course=course.pk
    ).values_list("lesson_id", Value(LessonStatus.READ))
    started = ExerciseProgress.objects.filter(
        learner=learner.pk, course=course.pk, attempts__gt=0, exercise__lesson__isnull=False
    ).values_list("exercise__lesson_id", Value(LessonStatus.IN_PROGRESS))
    statuses: dict[int, str] = {}
    for lesson_id, status in read.union(started, all=True):
        if status == LessonStatus.READ or lesson_id not in statuses:
            statuses[lesson_id] = status
    return statuses


def _with_certificate_code(progress: QuerySet[CourseProgress]) -> QuerySet[CourseProgress]:
    certificate = Certificate.objects.filter(
        learner=OuterRef("learner"), course=OuterRef("course")
    ).values("code")[:1]
    return progress.annotate(certificate_code=Subquery(certificate))


def course_progress_for(*, learner: User, course: Course) -> CourseProgress | None:
    """The learner's totals on the course, with ``certificate_code`` (None until issued)."""
    return _with_certificate_code(
        CourseProgress.objects.filter(learner=learner.pk, course=course.pk)
    ).first()


def progress_by_course(*, learner: User) -> dict[int, CourseProgress]:
    """Course id → the learner's totals there (with ``certificate_code``), for every course
    they have started."""
    progress = _with_certificate_code(CourseProgress.objects.filter(learner=learner.pk))
    return {record.course_id: record for record in progress}


def certificates_of(*, learner: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(learner=learner.pk).order_by("-completed_at")


def certificate_of(*, learner: User, course: Course) -> Certificate | None:
    """The learner's certificate for the course, if it was issued."""
    return certificates_of(learner=learner).filter(course=course.pk).first()


def has_completed(*, learner: User, course: Course) -> bool:
    return CourseProgress.objects.filter(
        learner=learner.pk, course=course.pk, completed_at__isnull=False
    ).exists()


# Codes are made by secrets.token_urlsafe: anything else cannot be one (nor reach the database:
# PostgreSQL refuses text with a NUL byte).
CERTIFICATE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def certificate_with_code(*, code: str) -> Certificate | None:
    """Anyone given the link may check a certificate: the code is the secret."""
    if not CERTIFICATE_CODE.fullmatch(code):
        return None
    return Certificate.objects.select_related("course").filter(code=code).first()


@dataclass(frozen=True)
class ExerciseRecord:
    id: int
    slug: str
    title: str
    lesson_id: int | None
    attempts: int
    best_score: float | None
    correct: bool

    @property
    def answered(self) -> bool:
        return self.attempts > 0


def exercise_records(*, learner: User, course: Course) -> list[ExerciseRecord]:
    """Every exercise of the course with the learner's attempts, best score and whether they
    got it right (none for exercises not tried yet). One query."""
    rows = (
        Exercise.objects.filter(course=course.pk)
        .annotate(mine=FilteredRelation("progress", condition=Q(progress__learner=learner.pk)))
        .order_by("lesson__module__position", "lesson__position", "title")
        .values_list(
            "pk",
            "slug",
            "title",
            "lesson_id",
            Coalesce(F("mine__attempts"), Value(0)),
            F("mine__best_score"),
            Coalesce(F("mine__correct"), Value(False)),
        )
    )
    return [ExerciseRecord(*row) for row in rows]


@dataclass(frozen=True)
class CalibrationPoint:
    """How often the learner was right when they said they were ``confidence``% sure."""

    confidence: int
    answers: int
    right: int

    @property
    def share_right(self) -> float:
        return self.right / self.answers if self.answers else 0.0


def calibration(*, learner: User, course: Course) -> list[CalibrationPoint]:
    """One point per confidence level the learner used, lowest level first, from their first
    marked answer with a confidence to each of the course's exercises. Later attempts follow
    the feedback on the first, and attempts that do not count (not marked fairly) say nothing
    about the learner: both are left out. One query, whatever the number of answers."""
    answers = Submission.objects.filter(
        learner=learner.pk,
        exercise__course=course.pk,
        state=State.GRADED,
        counted=True,
        confidence__isnull=False,
        correct__isnull=False,
    ).order_by()
    # Ids grow with time: each exercise's smallest is its first such answer.
    first = answers.values("exercise_id").annotate(first=Min("pk")).values("first")
    rows = (
        answers.filter(pk__in=first)
        .values("confidence")
        .annotate(answers=Count("pk"), right=Count("pk", filter=Q(correct=True)))
        .order_by("confidence")
    )
    # The filter above leaves no answer without a confidence.
    return [
        CalibrationPoint(cast(int, row["confidence"]), row["answers"], row["right"]) for row in rows
    ]
