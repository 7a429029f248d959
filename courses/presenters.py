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

# A link to another lesson: {title, url, module_id}.
Link = dict[str, Any]


def course_page(*, course: Course, user: Person) -> dict[str, Any]:
    outline = progress_presenters.course_outline(course=course, user=user)
    learner = user if isinstance(user, User) else None
    progress = (
        progress_selectors.course_progress_for(learner=learner, course=course) if learner else None
    )
    unread = [
        (item, lesson) for item in outline for lesson in item["lessons"] if not lesson["read"]
    ]
    # The first lesson not read yet in a module that is open; or, if every open lesson is
    # read, the day the next module opens.
    resume = next(
        ({"title": lesson["title"], "url": lesson["url"]} for _, lesson in unread if lesson["url"]),
        None,
    )
    next_opens_on = next((item["opens_on"] for item, lesson in unread if not lesson["url"]), "")
    read = sum(item["lessons_read"] for item in outline)
    certificate_code = getattr(progress, "certificate_code", None)
    return {
        "course": course,
        "introduction": rendering.rendered_introduction(course),
        "outline": outline,
        "resume": resume,
        "next_opens_on": next_opens_on,
        "lessons_total": sum(item["lessons_total"] for item in outline),
        "lessons_read": read,
        "started": read > 0,
        "completed": bool(progress and progress.completed_at),
        "certificate_url": (
            reverse("progress:certificate", kwargs={"code": certificate_code})
            if certificate_code
            else ""
        ),
        "progress_url": reverse("progress:course", kwargs={"course": course.slug}),
    }


def home_page(*, user: Person) -> dict[str, Any]:
    """Signed-in learners: their courses with how far they are, and where to pick up: the
    course they were last active on among those not yet complete; when every course they
    started is complete, the certificate of the latest."""
    if not isinstance(user, User):
        return {"courses": [], "resume": None, "finished": None}
    courses = {course.pk: course for course in selectors.visible_courses(user=user)}
    progress = progress_selectors.progress_by_course(learner=user)
    items = []
    for course in courses.values():
        record = progress.get(course.pk)
        summary = None
        if record is not None:
            summary = {
                "lessons_read": record.lessons_read,
                "lessons_total": record.lessons_total,
                "completed": record.completed_at is not None,
            }
        items.append({"course": course, "progress": summary})
    started = [record for record in progress.values() if record.course_id in courses]
    unfinished = [record for record in started if record.completed_at is None]
    latest = max(unfinished, key=lambda record: record.last_active_at, default=None)
    resume = finished = None
    if latest is not None:
        course = courses[latest.course_id]
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
    elif started:
        record = max(started, key=lambda record: record.last_active_at)
        code = getattr(record, "certificate_code", None)
        finished = {
            "course": courses[record.course_id],
            "certificate_url": reverse("progress:certificate", kwargs={"code": code})
            if code
            else "",
        }
    return {"courses": items, "resume": resume, "finished": finished}


def lesson_links(
    *, lesson: Lesson, user: Person, previous: Link | None, following: Link | None
) -> dict[str, Any]:
    """Whether the lesson's module is open to this user (``opens_on``: None when it is), and
    its previous and next links for them. The links come from the lesson's cached navigation,
    the same for everyone; a link into a module that has not opened for this user is left out
    (it would only answer 403), and ``next_opens_on`` says when the next lesson opens.
    One query."""
    nearby = {lesson.module_id} | {link["module_id"] for link in (previous, following) if link}
    closed = selectors.closed_modules(user=user, course=lesson.module.course, among=nearby)
    next_closed = following is not None and following["module_id"] in closed
    return {
        "opens_on": closed.get(lesson.module_id),
        "previous_lesson": previous if previous and previous["module_id"] not in closed else None,
        "next_lesson": None if next_closed else following,
        "next_opens_on": (
            progress_presenters.long_date(closed[following["module_id"]])
            if following is not None and next_closed
            else ""
        ),
    }


def lesson_page(*, lesson: Lesson, user: Person) -> dict[str, Any]:
    """The lesson as this user sees it; only ``opens_on`` (the day it opens) when its module
    has not opened for them."""
    course = lesson.module.course
    rendered = rendering.rendered_lesson(lesson, course)
    links = lesson_links(
        lesson=lesson, user=user, previous=rendered.previous_lesson, following=rendered.next_lesson
    )
    if links["opens_on"]:
        return {"opens_on": links["opens_on"]}
    return {
        **links,
        "course": course,
        "module": lesson.module,
        "lesson": lesson,
        "article": rendered.article_html,
        "has_charts": rendered.has_charts,
        "is_read": lesson.is_read,  # type: ignore[attr-defined]  # set by lesson_for
        "course_url": rendered.course_url,
        "module_url": rendered.module_url,
        "mark_read_url": rendered.mark_read_url,
    }


def after_reading(*, lesson: Lesson, user: Person) -> dict[str, Any]:
    """For marking a lesson read: whether its module is open to this user (``opens_on``), and
    where to go next (``next_url``: the next lesson if it is open to them, else the course)."""
    course = lesson.module.course
    navigation = rendering.lesson_navigation(lesson, course)
    links = lesson_links(
        lesson=lesson,
        user=user,
        previous=navigation["previous_lesson"],
        following=navigation["next_lesson"],
    )
    following = links["next_lesson"]
    return {
        "opens_on": links["opens_on"],
        "next_url": following["url"]
        if following
        else reverse("courses:course", kwargs={"course": course.slug}),
    }
