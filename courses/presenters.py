"""Context for the learner's course pages, so that templates hold no logic."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from courses import rendering, selectors
from courses.models import Course, Lesson
from courses.selectors import Person


def course_page(*, course: Course, user: Person) -> dict[str, Any]:
    modules = selectors.course_outline(course=course)
    done = selectors.completed_lesson_ids(user=user, course=course)
    outline: list[dict[str, Any]] = []
    resume = None
    total = read = 0
    for module in modules:
        lessons: list[dict[str, Any]] = []
        for lesson in module.lessons.all():
            url = reverse(
                "courses:lesson",
                kwargs={"course": course.slug, "module": module.slug, "lesson": lesson.slug},
            )
            is_read = lesson.pk in done
            lessons.append({"title": lesson.title, "url": url, "minutes": lesson.estimated_minutes,
                            "read": is_read})  # fmt: skip
            total += 1
            read += is_read
            if resume is None and not is_read:
                resume = {"title": lesson.title, "url": url}
        outline.append(
            {
                "module": module,
                "lessons": lessons,
                "minutes": sum(item["minutes"] for item in lessons),
                "read": sum(item["read"] for item in lessons),
            }
        )
    return {
        "course": course,
        "introduction": rendering.rendered_introduction(course),
        "outline": outline,
        "resume": resume,
        "lessons_total": total,
        "lessons_read": read,
        "started": read > 0,
    }


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
