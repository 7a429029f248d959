from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from courses.models import SLUG_LENGTH, TITLE_LENGTH, Chart, Course, Lesson


class Kind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    NUMERIC = "numeric", "Numeric answer"
    PARAMETRISED_NUMERIC = "parametrised_numeric", "Numeric answer on real data"
    CHART_READING = "chart_reading", "Chart reading"
    SPOT_THE_FLAW = "spot_the_flaw", "Spot the flaw"
    ORDERING = "ordering", "Put in order"
    ESTIMATE = "estimate", "Estimate with confidence"
    SQL = "sql", "Query the data"
    FREE_TEXT = "free_text", "Written answer"


class Exercise(models.Model):
    """A question embedded in lessons. What varies by kind lives in ``spec`` (see
    exercises.content, which checks it on import)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="exercises")
    slug = models.SlugField(max_length=SLUG_LENGTH)
    title = models.CharField(max_length=TITLE_LENGTH)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    prompt = models.TextField(help_text="Markdown")
    spec = models.JSONField(default=dict, blank=True)
    hints = models.JSONField(default=list, blank=True)
    explanation = models.TextField(help_text="Markdown: the worked answer")
    chart = models.ForeignKey(
        Chart, null=True, blank=True, on_delete=models.SET_NULL, related_name="exercises"
    )
    # The first lesson that embeds the exercise (set on import): where it counts for progress.
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="exercises"
    )
    max_attempts = models.PositiveIntegerField(default=3, help_text="0 means unlimited")
    reveal_answer = models.BooleanField(default=True)
    ask_confidence = models.BooleanField(default=False)
    certainty_based_marking = models.BooleanField(default=False)
    # Goes up whenever the question or its answer key changes; every grading records it.
    version = models.PositiveIntegerField(default=1)
    fingerprint = models.CharField(max_length=64, blank=True)
    # The exercise as its author wrote it, so that export gives back the same file.
    source = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug"], name="exercise_slug_unique_in_course"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "exercises:exercise", kwargs={"course": self.course.slug, "exercise": self.slug}
        )


class State(models.TextChoices):
    PENDING = "pending", "Waiting to be marked"
    GRADING = "grading", "Being marked"
    GRADED = "graded", "Marked"
    ERROR = "error", "Could not be marked"
    AWAITING_TUTOR = "awaiting_tutor", "Waiting for a tutor"


class Submission(models.Model):
    """One attempt at an exercise. Saved before grading is sent, so it is never lost; the
    state moves pending → grading → graded (or error), each step a conditional update."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="submissions")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions"
    )
    answer = models.JSONField()
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    attempt = models.PositiveIntegerField()
    variant = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    score = models.FloatField(null=True, blank=True)
    correct = models.BooleanField(null=True)
    feedback = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # An attempt that could not be marked, or failed for a reason that is not the learner's
    # (an SQL typo is feedback, not a used attempt), does not count against the limit.
    counted = models.BooleanField(default=True)
    exercise_version = models.PositiveIntegerField()
    graded_version = models.PositiveIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveIntegerField(default=0)
    grading_runs = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tutor_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="submission_state_idx"),
            models.Index(fields=["exercise", "learner"], name="submission_learner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.exercise} (attempt {self.attempt})"

    @property
    def is_final(self) -> bool:
        return self.state in (State.GRADED, State.ERROR)
