from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

# Lengths that the importer checks too, so that no database refuses what it accepted.
SLUG_LENGTH = 100
TITLE_LENGTH = 200


# A draft's slug is its course's slug with this suffix: underscores never appear in a course's
# own slug, so the two cannot collide, and the draft stays reachable (to its authors) at the
# same kind of address as the course.
DRAFT_SUFFIX = "_draft"


class CourseQuerySet(models.QuerySet["Course"]):
    def published(self) -> CourseQuerySet:
        return self.filter(published=True)


class LiveCourseManager(models.Manager.from_queryset(CourseQuerySet)):  # type: ignore[misc]
    """Courses learners can be given: never an author's draft (see the authoring app)."""

    def get_queryset(self) -> CourseQuerySet:
        return super().get_queryset().filter(is_draft=False)  # type: ignore[no-any-return]


class Course(models.Model):
    slug = models.SlugField(max_length=SLUG_LENGTH + len(DRAFT_SUFFIX), unique=True)
    title = models.CharField(max_length=TITLE_LENGTH)
    summary = models.TextField()
    audience = models.TextField(blank=True)
    outcomes = models.JSONField(default=list, blank=True)
    estimated_minutes = models.PositiveIntegerField(default=0)
    introduction = models.TextField(blank=True, help_text="Markdown shown on the course page.")
    published = models.BooleanField(default=False)
    # An author's working copy of a course (authoring.Workspace.draft): hidden from the default
    # manager, so that no learner-facing query can return it by accident.
    is_draft = models.BooleanField(default=False, editable=False)
    # Bumped whenever anything a lesson can embed changes, so cached lesson HTML is rebuilt.
    content_version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveCourseManager()
    all_objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course", kwargs={"course": self.slug})

    @property
    def workspace_slug(self) -> str:
        """For a draft, the slug of the course it is the draft of."""
        return self.slug.removesuffix(DRAFT_SUFFIX)


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(max_length=SLUG_LENGTH)
    title = models.CharField(max_length=TITLE_LENGTH)
    summary = models.TextField(blank=True)
    position = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=SLUG_LENGTH)
    title = models.CharField(max_length=TITLE_LENGTH)
    body = models.TextField(help_text="Markdown, with chart, dataset, glossary and callout embeds.")
    estimated_minutes = models.PositiveIntegerField(default=5, validators=[MinValueValidator(1)])
    objectives = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["module__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "slug"], name="lesson_slug_unique_in_module")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "courses:lesson",
            kwargs={
                "course": self.module.course.slug,
                "module": self.module.slug,
                "lesson": self.slug,
            },
        )


class GlossaryTerm(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="glossary_terms")
    slug = models.SlugField(max_length=SLUG_LENGTH)
    term = models.CharField(max_length=TITLE_LENGTH)
    definition = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "term"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="term_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.term


class Dataset(models.Model):
    """A real dataset, kept as its CSV text with typed column metadata."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="datasets")
    slug = models.SlugField(max_length=SLUG_LENGTH)
    title = models.CharField(max_length=TITLE_LENGTH)
    description = models.TextField()
    source_organisation = models.CharField(max_length=300)
    source_url = models.URLField(max_length=500)
    licence = models.CharField(max_length=300)
    data_date = models.CharField("date of the data", max_length=100)
    columns = models.JSONField(help_text="[{name, type, unit, description, optional}]")
    csv_text = models.TextField()
    row_count = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "title"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="dataset_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:dataset", kwargs={"course": self.course.slug, "dataset": self.slug})


class Chart(models.Model):
    """A chart drawn from a dataset by a declarative spec (see courses.content.charts)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="charts")
    slug = models.SlugField(max_length=SLUG_LENGTH)
    title = models.CharField(max_length=TITLE_LENGTH)
    # RESTRICT: a dataset cannot be deleted while charts use it, except with its whole course.
    dataset = models.ForeignKey(Dataset, on_delete=models.RESTRICT, related_name="charts")
    spec = models.JSONField(help_text="type, x, y, colour, filters, titles, axis range, notes")
    summary = models.TextField(help_text="What the chart shows and its main takeaway.")
    source_note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="chart_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title


class LessonCompletion(models.Model):
    """A learner marked a lesson as read. The progress features build on this."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_completions"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="one_completion_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.learner} read {self.lesson}"
