"""Where the draft embeds its charts, datasets and exercises: read from the Markdown itself,
the same way the folder check reads it."""

from __future__ import annotations

from courses.content import markdown as md
from courses.models import Course, Lesson


def embedded(text: str, kind: str) -> list[str]:
    """The slugs of one kind of embed ("chart", "dataset", "exercise", "term") in the text,
    each once, in the order they appear."""
    slugs = [r.slug for r in md.scan(text or "").references if r.kind == kind]
    return list(dict.fromkeys(slugs))


def lesson_embeds(*, draft: Course, kind: str) -> dict[str, list[Lesson]]:
    """{slug: the lessons whose text embeds it}, lessons in course order. One query."""
    found: dict[str, list[Lesson]] = {}
    lessons = (
        Lesson.objects.filter(module__course=draft)
        .select_related("module")
        .order_by("module__position", "position")
    )
    for lesson in lessons:
        for slug in embedded(lesson.body, kind):
            found.setdefault(slug, []).append(lesson)
    return found
