"""Context for the learner's course pages, so that templates hold no logic."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from accounts.models import User
from courses import rendering, selectors
from courses.models import Course, Lesson
from courses.selectors import Person
from progress import presenters as progress_presenters
from progress import selectors as progress_selectors
from progress.selectors import LessonStatus


def course_page(*, course: Course, user: Person) -> dict[str, Any]:
    closed = selectors.closed_modules(user=user, course=course)
    modules = selectors.course_outline(course=course)
    learner = user if isinstance(user, User) else None
    statuses = progress_selectors.lesson_statuses(learner=learner, course=course) if learner else {}
    progress = (
        progress_selectors.course_progress_for(learner=learner, course=course) if learner else None
    )
    outline: list[dict[str, Any]] = []
    resume = None
    next_opens_on = None
    total = read = 0
    for module in modules:
        opens_on = closed.get(module.pk)
        lessons: list[dict[str, Any]] = []
        for lesson in module.lessons.all():
            url = reverse(
                "courses:lesson",
                kwargs={"course": course.slug, "module": module.slug, "lesson": lesson.slug},
            )
            status = statuses.get(lesson.pk, LessonStatus.NOT_STARTED)
            is_read = status == LessonStatus.READ
            lessons.append(
                {
                    "title": lesson.title,
                    "url": "" if opens_on else url,
                    "minutes": lesson.estimated_minutes,
                    "read": is_read,
                    "status": progress_presenters.lesson_status(status),
                }
            )
            total += 1
            read += is_read
            if resume is None and not is_read:
                if opens_on is None:
                    resume = {"title": lesson.title, "url": url}
                elif next_opens_on is None:
                    next_opens_on = opens_on
        outline.append(
            {
                "module": module,
                "lessons": lessons,
                "minutes": sum(item["minutes"] for item in lessons),
                "read": sum(item["read"] for item in lessons),
                "opens_on": progress_presenters.long_date(opens_on) if opens_on else "",
            }
        )
    completed = bool(progress and progress.completed_at)
    certificate_code = getattr(progress, "certificate_code", None) if progress else None
    return {
        "course": course,
        "introduction": rendering.rendered_introduction(course),
        "outline": outline,
        "resume": resume,
        "next_opens_on": progress_presenters.long_date(next_opens_on) if next_opens_on else "",
        "lessons_total": total,
        "lessons_read": read,
        "started": read > 0,
        "completed": completed,
        "certificate_url": (
            reverse("progress:certificate", kwargs={"code": certificate_code})
            if certificate_code
            else ""
        ),
        "progress_url": reverse("progress:course", kwargs={"course": course.slug}),
    }


def home_page(*, user: Person) -> dict[str, Any]:
    """Signed-in learners: their courses with how far they are, and where to pick up."""
    if not isinstance(user, User):
        return {"courses": [], "resume": None}
    courses = list(selectors.visible_courses(user=user))
    progress = progress_selectors.progress_by_course(learner=user)
    items = []
    for course in courses:
        record = progress.get(course.pk)
        summary = None
        if record is not None:
            summary = {
                "lessons_read": record.lessons_read,
                "lessons_total": record.lessons_total,
                "completed": record.completed_at is not None,
            }
        items.append({"course": course, "progress": summary})
    started = [progress[c.pk] for c in courses if c.pk in progress]
    latest = max(started, key=lambda record: record.last_active_at, default=None)
    resume = None
    if latest is not None:
        course = next(c for c in courses if c.pk == latest.course_id)
        lesson = selectors.next_lesson_for(user=user, course=course)
        resume = {
            "course": course,
            "lesson": lesson,
            "url": reverse(
                "courses:lesson",
                kwargs={"course": course.slug, "module": lesson.module.slug, "lesson": lesson.slug},
            )
            if lesson
            else "",
            "progress_url": reverse("progress:course", kwargs={"course": course.slug}),
        }
    return {"courses": items, "resume": resume}


def lesson_page(*, lesson: Lesson, user: Person) -> dict[str, Any]:
    course = lesson.module.course
    rendered = rendering.rendered_lesson(lesson, course)
    return {
        "course": course,
        "module": lesson.module,
        "lesson": lesson,
        "article": rendered.article_html,
        "pagination": rendered.pagination_html,
        "next_lesson": rendered.next_lesson,
        "has_charts": rendered.has_charts,
        "is_read": selectors.has_read(user=user, lesson=lesson),
        "course_url": reverse("courses:course", kwargs={"course": course.slug}),
        "module_url": reverse("courses:course", kwargs={"course": course.slug})
        + f"#module-{lesson.module.slug}",
    }


def next_lesson_url(*, lesson: Lesson) -> str | None:
    """Where to go after marking a lesson read."""
    following = rendering.lesson_navigation(lesson, lesson.module.course)["next_lesson"]
    return following["url"] if following else None
