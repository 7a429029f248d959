"""Reads of course content, with the access rules in one place: learners see published
courses; authors and admins also see unpublished ones (to preview them). A cohort may open
its modules on release dates (``closed_modules``)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Collection
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts import roles
from accounts.models import User
from cohorts.models import Cohort, Membership, ModuleSchedule
from courses.models import Chart, Course, Dataset, GlossaryTerm, Lesson, LessonCompletion, Module
from masterclass import sql

Person = User | AnonymousUser


def can_preview(*, user: Person) -> bool:
    """Authors and admins may see unpublished courses (authors: those they work on, when the
    course is in the authoring area)."""
    return roles.is_admin(user) or roles.is_author(user)


def visible_courses(*, user: Person) -> QuerySet[Course]:
    courses = Course.objects.all()
    if roles.is_admin(user):
        return courses
    if not roles.is_author(user):
        return courses.published()
    return courses.filter(
        Q(published=True) | Q(live_workspace__isnull=True) | Q(live_workspace__roles__user=user)
    ).distinct()


def _may_see(*, user: Person, course: Course) -> bool:
    """Checked after the lookup, so that learners on published courses cost no role query.
    An author's draft is shown only to the people working on that course: it is their
    preview of exactly what learners will get. So is an unlisted course in the authoring
    area; one loaded only from a folder is shown to every author."""
    if course.is_draft:
        from authoring.access import can_preview_draft

        return can_preview_draft(user=user, course=course)
    if course.published or roles.is_admin(user):
        return True
    if not roles.is_author(user):
        return False
    from authoring.access import can_preview_unlisted

    return can_preview_unlisted(user=user, course=course)


def course_for(*, user: Person, slug: str) -> Course:
    course = get_object_or_404(Course.all_objects, slug=slug)
    if not _may_see(user=user, course=course):
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


# What a lesson page needs of the lesson, its module and its course. The Markdown body and the
# course's introduction are only needed to render the lesson, which is cached: fetched (one
# query) only then.
_LESSON = sql.Selection.of(Lesson, "l", leave_out={"body"})
_MODULE = sql.Selection.of(Module, "m", leave_out={"summary"})
_COURSE = sql.Selection.of(
    Course, "c", leave_out={"introduction", "summary", "audience", "outcomes"}
)
LESSON_SQL = """
    SELECT {lesson}, {module}, {course},
           EXISTS (SELECT 1 FROM {completions} lc
                   WHERE lc.lesson_id = l.id AND lc.learner_id = %(learner)s)
    FROM {lessons} l
    JOIN {modules} m ON m.id = l.module_id
    JOIN {courses} c ON c.id = m.course_id
    WHERE c.slug = %(course)s AND m.slug = %(module)s AND l.slug = %(lesson)s
"""


@functools.cache
def _lesson_statement() -> str:
    return LESSON_SQL.format(
        lesson=_LESSON.columns,
        module=_MODULE.columns,
        course=_COURSE.columns,
        **sql.tables(lessons=Lesson, modules=Module, courses=Course, completions=LessonCompletion),
    )


def lesson_for(*, user: Person, course: str, module: str, lesson: str) -> Lesson:
    """The lesson at these slugs, with its module and course, or 404; annotated with
    ``is_read``, whether this user has marked it read. A prepared statement
    (masterclass.sql): it runs on every lesson page, and the same query built by the ORM cost
    more than the rest of the page's queries together."""
    params = {"course": course, "module": module, "lesson": lesson, "learner": user.pk}
    rows = sql.fetch_all(_lesson_statement(), params)
    if not rows:
        raise Http404("No such lesson")
    *row, is_read = rows[0]
    split = len(_LESSON.fields), len(_LESSON.fields) + len(_MODULE.fields)
    found = cast(Lesson, _LESSON.instance(row[: split[0]]))
    found.module = cast(Module, _MODULE.instance(row[split[0] : split[1]]))
    found.module.course = cast(Course, _COURSE.instance(row[split[1] :]))
    found.is_read = bool(is_read)  # type: ignore[attr-defined]  # an annotation
    if not _may_see(user=user, course=found.module.course):
        raise Http404("No such lesson")
    return found


# Each live cohort the learner is in on a course, with the modules it has not opened yet.
CLOSED_MODULES_SQL = """
    SELECT m.cohort_id, s.module_id, s.release_date
    FROM {membership} m
    JOIN {cohort} c ON c.id = m.cohort_id
    LEFT JOIN {schedule} s ON s.cohort_id = m.cohort_id AND s.release_date > %(today)s
    WHERE m.learner_id = %(learner)s AND c.course_id = %(course)s AND NOT c.archived
"""


def _closed(*, user: Person, course_id: int) -> dict[int, datetime.date]:
    """Modules not yet open to the user, with the day each opens. A module is closed only when
    it opens later in every live cohort the learner is in on this course (the earliest date
    wins); learners in no cohort, and people who may preview courses, see every module.

    One prepared statement (masterclass.sql), as it runs on every lesson and exercise page; a
    query more when something is closed and the preview roles must be checked."""
    if not user.is_authenticated or roles.is_admin(user):
        return {}
    today = timezone.localdate()
    rows = sql.fetch_all(
        CLOSED_MODULES_SQL.format(
            **sql.tables(membership=Membership, cohort=Cohort, schedule=ModuleSchedule)
        ),
        {
            # SQLite keeps dates as ISO text.
            "today": today if connection.vendor == "postgresql" else today.isoformat(),
            "learner": user.pk,
            "course": course_id,
        },
    )
    cohorts: set[int] = set()
    closed_in: dict[int, dict[int, datetime.date]] = {}
    for cohort_id, module_id, release_date in rows:
        cohorts.add(cohort_id)
        if module_id is not None:
            if isinstance(release_date, str):
                release_date = datetime.date.fromisoformat(release_date)
            closed_in.setdefault(module_id, {})[cohort_id] = release_date
    closed = {
        module_id: min(dates.values())
        for module_id, dates in closed_in.items()
        if set(dates) == cohorts
    }
    if closed and can_preview(user=user):
        return {}
    return closed


def closed_modules(
    *, user: Person, course: Course, among: Collection[int] | None = None
) -> dict[int, datetime.date]:
    """The course's modules (or only those ``among`` these ids) that have not opened yet for
    this user: module id → opening day."""
    closed = _closed(user=user, course_id=course.pk)
    if among is None:
        return closed
    return {module_id: day for module_id, day in closed.items() if module_id in among}


def module_opens_on(*, user: Person, module: Module) -> datetime.date | None:
    """The day the module opens for this user, if it is not open yet."""
    return _closed(user=user, course_id=module.course_id).get(module.pk)


def lesson_opens_on(*, user: Person, course: Course, lesson_id: int) -> datetime.date | None:
    """The day the module holding the lesson opens for this user, if it is not open yet."""
    closed = _closed(user=user, course_id=course.pk)
    if not closed:
        return None
    module_id = Lesson.objects.filter(pk=lesson_id).values_list("module_id", flat=True).first()
    return closed.get(module_id) if module_id is not None else None


def next_lesson_for(*, user: User, course: Course) -> Lesson | None:
    """Where the learner should pick up: the first lesson they have not read, in a module
    that is open to them (as the course page's "Continue" button)."""
    closed = closed_modules(user=user, course=course)
    return (
        Lesson.objects.filter(module__course=course)
        .exclude(completions__learner=user)
        .exclude(module_id__in=list(closed))
        .select_related("module")
        .only("id", "slug", "title", "module__slug", "module__title", "module__course_id")
        .order_by("module__position", "position")
        .first()
    )


@dataclass(frozen=True)
class LessonLink:
    id: int
    title: str
    module_slug: str
    slug: str
    module_title: str
    module_id: int


def lesson_sequence(*, course: Course) -> list[LessonLink]:
    """Every lesson of the course in reading order: for previous and next links."""
    rows = (
        Lesson.objects.filter(module__course=course)
        .order_by("module__position", "position")
        .values_list("id", "title", "module__slug", "slug", "module__title", "module_id")
    )
    return [LessonLink(*row) for row in rows]


def glossary_for(*, course: Course) -> QuerySet[GlossaryTerm]:
    return GlossaryTerm.objects.filter(course=course).order_by("term")


def dataset_for(*, course: Course, slug: str) -> Dataset:
    return get_object_or_404(Dataset, course=course, slug=slug)


def chart_for(*, course: Course, slug: str) -> Chart:
    return get_object_or_404(Chart.objects.select_related("dataset"), course=course, slug=slug)


def datasets_for(*, course: Course) -> QuerySet[Dataset]:
    return Dataset.objects.filter(course=course).defer("csv_text").order_by("title")
