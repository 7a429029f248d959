"""Each learner's progress, kept up to date as they read and answer (see progress.services),
so that dashboards read a few rows per learner instead of every answer ever given."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from courses.models import TITLE_LENGTH, Course
from exercises.models import Exercise


class ExerciseProgress(models.Model):
    """A learner's record on one exercise: attempts, best score, and whether they got it."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exercise_progress"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    attempts = models.PositiveIntegerField(default=0)
    best_score = models.FloatField(null=True, blank=True)
    correct = models.BooleanField(default=False)
    first_answered_at = models.DateTimeField()
    last_answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "exercise"], name="one_progress_per_exercise"
            )
        ]
        indexes = [models.Index(fields=["course", "learner"], name="exprogress_course_idx")]

    def __str__(self) -> str:
        return f"{self.learner} on {self.exercise}"


class CourseProgress(models.Model):
    """A learner's totals on one course. Completion counts lessons read and exercises
    answered; mastery is the share of the course's exercises answered correctly."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_progress"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="progress")
    lessons_read = models.PositiveIntegerField(default=0)
    exercises_answered = models.PositiveIntegerField(default=0)
    exercises_correct = models.PositiveIntegerField(default=0)
    # What the course had when the figures above were counted.
    lessons_total = models.PositiveIntegerField(default=0)
    exercises_total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    last_active_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="one_progress_per_course")
        ]
        indexes = [models.Index(fields=["course", "last_active_at"], name="cprogress_active_idx")]

    def __str__(self) -> str:
        return f"{self.learner} on {self.course}"

    @property
    def completion(self) -> float:
        total = self.lessons_total + self.exercises_total
        return (self.lessons_read + self.exercises_answered) / total if total else 0.0

    @property
    def mastery(self) -> float:
        return self.exercises_correct / self.exercises_total if self.exercises_total else 0.0


def certificate_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """Proof that a learner completed a course. Its page is public at a hard-to-guess URL, so
    that anyone given the link can check it; the name and title are kept as issued."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="certificates")
    code = models.CharField(max_length=32, unique=True, default=certificate_code)
    learner_name = models.CharField(max_length=300)
    course_title = models.CharField(max_length=TITLE_LENGTH)
    completed_at = models.DateTimeField()
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="one_certificate_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.course_title}: {self.learner_name}"

    def get_absolute_url(self) -> str:
        return reverse("progress:certificate", kwargs={"code": self.code})
