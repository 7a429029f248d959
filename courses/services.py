"""Writes to course content."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import F

from accounts.models import User
from courses.content.folder import CourseBundle
from courses.content.markdown import scan
from courses.models import Chart, Course, Dataset, GlossaryTerm, Lesson, LessonCompletion, Module


@transaction.atomic
def save_course(*, bundle: CourseBundle, into: Course | None = None) -> Course:
    """Create or update a course from a checked bundle, in place: the live course with the
    bundle's slug, or ``into`` (an author's draft, which keeps its own slug).

    Modules, lessons, datasets, charts and terms are matched by slug, so learners' records
    on lessons that still exist are kept; what the bundle no longer has is removed.
    """
    values = {
        "title": bundle.title,
        "summary": bundle.summary,
        "audience": bundle.audience,
        "outcomes": bundle.outcomes,
        "estimated_minutes": bundle.estimated_minutes,
        "introduction": bundle.introduction,
        "published": bundle.published,
    }
    if into is None:
        course, _ = Course.objects.select_for_update().update_or_create(
            slug=bundle.slug, defaults=values
        )
    else:
        course = Course.all_objects.select_for_update().get(pk=into.pk)
        for name, value in values.items():
            setattr(course, name, value)
        course.save()
    terms = [t.slug for t in bundle.terms]
    GlossaryTerm.objects.filter(course=course).exclude(slug__in=terms).delete()
    for term in bundle.terms:
        GlossaryTerm.objects.update_or_create(
            course=course,
            slug=term.slug,
            defaults={"term": term.term, "definition": term.definition},
        )

    Chart.objects.filter(course=course).exclude(slug__in=[c.slug for c in bundle.charts]).delete()
    datasets = {}
    for item in bundle.datasets:
        datasets[item.slug], _ = Dataset.objects.update_or_create(
            course=course,
            slug=item.slug,
            defaults={
                "title": item.title,
                "description": item.description,
                "source_organisation": item.source_organisation,
                "source_url": item.source_url,
                "licence": item.licence,
                "data_date": item.data_date,
                "columns": [c.as_dict() for c in item.columns],
                "csv_text": item.csv_text,
                "row_count": item.row_count,
            },
        )
    charts = {}
    for chart in bundle.charts:
        charts[chart.slug], _ = Chart.objects.update_or_create(
            course=course,
            slug=chart.slug,
            defaults={
                "title": chart.title,
                "dataset": datasets[chart.dataset],
                "spec": chart.spec,
                "summary": chart.summary,
                "source_note": chart.source_note,
            },
        )

    # Only now that every chart points at a dataset that stays can the others go.
    Dataset.objects.filter(course=course).exclude(
        slug__in=[d.slug for d in bundle.datasets]
    ).delete()

    from exercises.services import save_exercises

    save_exercises(course_id=course.pk, exercises=bundle.exercises, charts=charts)

    Module.objects.filter(course=course).exclude(slug__in=[m.slug for m in bundle.modules]).delete()
    embedded_in: dict[str, int] = {}  # exercise slug -> the first lesson that embeds it
    for module_item in sorted(bundle.modules, key=lambda m: m.position):
        module, _ = Module.objects.update_or_create(
            course=course,
            slug=module_item.slug,
            defaults={
                "title": module_item.title,
                "summary": module_item.summary,
                "position": module_item.position,
            },
        )
        lesson_slugs = [lesson.slug for lesson in module_item.lessons]
        Lesson.objects.filter(module=module).exclude(slug__in=lesson_slugs).delete()
        for lesson_item in sorted(module_item.lessons, key=lambda item: item.position):
            lesson = Lesson.objects.filter(module=module, slug=lesson_item.slug).first() or Lesson(
                module=module, slug=lesson_item.slug
            )
            values = {
                "title": lesson_item.title,
                "body": lesson_item.body,
                "estimated_minutes": lesson_item.estimated_minutes,
                "objectives": lesson_item.objectives,
                "position": lesson_item.position,
            }
            if lesson.pk is None or any(getattr(lesson, k) != v for k, v in values.items()):
                for name, value in values.items():
                    setattr(lesson, name, value)
                lesson.save()
            for reference in scan(lesson_item.body).references:
                if reference.kind == "exercise":
                    embedded_in.setdefault(reference.slug, lesson.pk)
    _link_exercises_to_lessons(course=course, embedded_in=embedded_in)
    bump_content_version(course=course)
    course.refresh_from_db()
    return course


def _link_exercises_to_lessons(*, course: Course, embedded_in: dict[str, int]) -> None:
    """Each exercise counts towards the module of the first lesson that embeds it."""
    from exercises.models import Exercise
    from progress.services import refresh_course_progress

    for exercise in Exercise.objects.filter(course=course).only("pk", "slug", "lesson_id"):
        lesson_id = embedded_in.get(exercise.slug)
        if exercise.lesson_id != lesson_id:
            Exercise.objects.filter(pk=exercise.pk).update(lesson_id=lesson_id)
    # Lessons or exercises may have come or gone: every learner's totals are counted again.
    refresh_course_progress(course_id=course.pk)


def bump_content_version(*, course: Course) -> None:
    """Invalidate every cached lesson of the course (their cache keys include the version)."""
    Course.all_objects.filter(pk=course.pk).update(content_version=F("content_version") + 1)


def import_course(*, path: Path) -> Course:
    """Check a course folder completely, then save it. Raises ContentInvalid, saving nothing."""
    from courses.content.folder import read_course

    return save_course(bundle=read_course(path))


def mark_lesson_read(*, learner: User, lesson: Lesson) -> LessonCompletion | None:
    """Record that the learner read the lesson. Reading an author's draft (a preview) records
    nothing: returns None."""
    from progress.services import record_reading

    if lesson.module.course.is_draft:
        return None
    with transaction.atomic():
        completion, _ = LessonCompletion.objects.get_or_create(learner=learner, lesson=lesson)
        # Also when already read: recounting is cheap and heals any figure left stale.
        record_reading(learner_id=learner.pk, course_id=lesson.module.course_id)
    return completion
