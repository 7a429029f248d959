"""Context for the learner's course pages, so that templates hold no logic."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from courses import rendering, selectors
from courses.models import Course, Lesson
from courses.selectors import LessonLink, Person


def _lesson_url(course: Course, link: LessonLink) -> str:
    return reverse(
        "courses:lesson",
        kwargs={"course": course.slug, "module": link.module_slug, "lesson": link.slug},
    )


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


def lesson_page(*, lesson: Lesson, user: Person, render_body: bool = True) -> dict[str, Any]:
    course = lesson.module.course
    sequence = selectors.lesson_sequence(course=course)
    index = next(i for i, link in enumerate(sequence) if link.id == lesson.pk)
    previous_link = sequence[index - 1] if index > 0 else None
    next_link = sequence[index + 1] if index + 1 < len(sequence) else None
    context: dict[str, Any] = {
        "course": course,
        "module": lesson.module,
        "lesson": lesson,
        "position": index + 1,
        "lessons_total": len(sequence),
        "previous_lesson": previous_link and {
            "title": previous_link.title, "url": _lesson_url(course, previous_link)
        },
        "next_lesson": next_link and {
            "title": next_link.title, "url": _lesson_url(course, next_link)
        },
        "course_url": reverse("courses:course", kwargs={"course": course.slug}),
        "module_url": reverse("courses:course", kwargs={"course": course.slug})
        + f"#module-{lesson.module.slug}",
    }  # fmt: skip
    if render_body:
        rendered = rendering.rendered_lesson(lesson, course)
        context.update(
            body=rendered.html,
            headings=rendered.headings,
            terms=rendered.terms,
            has_charts="data-chart-figure" in rendered.html,
            is_read=lesson.pk in selectors.completed_lesson_ids(user=user, course=course),
            glossary_url=reverse("courses:glossary", kwargs={"course": course.slug}),
        )
    return context
