"""Reads of course content, with the access rule in one place: learners see published
courses; authors and admins also see unpublished ones (to preview them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import roles
from accounts.models import User
from courses.models import Chart, Course, Dataset, GlossaryTerm, Lesson, LessonCompletion, Module

Person = User | AnonymousUser


def can_preview(*, user: Person) -> bool:
    """Authors and admins may see unpublished courses."""
    return roles.is_admin(user) or roles.is_author(user)


def visible_courses(*, user: Person) -> QuerySet[Course]:
    courses = Course.objects.all()
    return courses if can_preview(user=user) else courses.published()


def course_for(*, user: Person, slug: str) -> Course:
    course = get_object_or_404(Course, slug=slug)
    # Checked after the lookup so that learners on published courses cost no role query.
    if not course.published and not can_preview(user=user):
        raise Http404("No such course")
    return course


def course_outline(*, course: Course) -> list[Module]:
    lessons = Lesson.objects.only(
        "id", "slug", "title", "estimated_minutes", "position", "module_id"
    ).order_by("position")
    return list(
        Module.objects.filter(course=course)
        .order_by("position")
        .prefetch_related(Prefetch("lessons", queryset=lessons))
    )


def lesson_for(*, user: Person, course: str, module: str, lesson: str) -> Lesson:
    found = get_object_or_404(
        Lesson.objects.select_related("module__course")
        # The Markdown body and the course introduction are only needed to render the lesson,
        # which is cached: fetched (one query) only then.
        .defer(
            "body",
            "module__course__introduction",
            "module__course__summary",
            "module__course__audience",
            "module__course__outcomes",
            "module__summary",
        ),
        module__course__slug=course,
        module__slug=module,
        slug=lesson,
    )
    if not found.module.course.published and not can_preview(user=user):
        raise Http404("No such lesson")
    return found


@dataclass(frozen=True)
class LessonLink:
    id: int
    title: str
    module_slug: str
    slug: str
    module_title: str


def lesson_sequence(*, course: Course) -> list[LessonLink]:
    """Every lesson of the course in reading order: for previous and next links."""
    rows = (
        Lesson.objects.filter(module__course=course)
        .order_by("module__position", "position")
        .values_list("id", "title", "module__slug", "slug", "module__title")
    )
    return [LessonLink(*row) for row in rows]


def has_read(*, user: Person, lesson: Lesson) -> bool:
    if not user.is_authenticated:
        return False
    return LessonCompletion.objects.filter(learner=user.pk, lesson=lesson.pk).exists()


def completed_lesson_ids(*, user: Person, course: Course) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        LessonCompletion.objects.filter(learner=user, lesson__module__course=course).values_list(
            "lesson_id", flat=True
        )
    )


def glossary_for(*, course: Course) -> QuerySet[GlossaryTerm]:
    return GlossaryTerm.objects.filter(course=course).order_by("term")


def dataset_for(*, course: Course, slug: str) -> Dataset:
    return get_object_or_404(Dataset, course=course, slug=slug)


def chart_for(*, course: Course, slug: str) -> Chart:
    return get_object_or_404(Chart.objects.select_related("dataset"), course=course, slug=slug)


def datasets_for(*, course: Course) -> QuerySet[Dataset]:
    return Dataset.objects.filter(course=course).defer("csv_text").order_by("title")
