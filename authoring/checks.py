"""What must be right before a draft is published.

First the whole folder check that ``import_course`` makes (broken embeds and references,
bad data, invalid exercises: every problem with its file and line), then the editorial rules
that make a course fit for learners: no empty lessons, every chart summarised, every
dataset column described with its source and licence, every exercise with feedback.
"""

from __future__ import annotations

import re

from authoring import bundles
from courses.content.folder import CourseBundle
from courses.content.problems import ContentInvalid, Problem
from courses.models import DRAFT_SUFFIX, Course

IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(")
DRAFT_LINK = re.compile(rf"/courses/[a-z0-9-]+{DRAFT_SUFFIX}\b")


def publish_problems(*, files: bundles.Files, slug: str) -> list[Problem]:
    """Every problem in the files, with paths relative to the course folder."""
    return checked(files=files, slug=slug)[1]


def checked(*, files: bundles.Files, slug: str) -> tuple[CourseBundle | None, list[Problem]]:
    """The files read as a course (None if they cannot be), and every problem in them. For
    publishing, which needs both: reading a large course is the costly part."""
    try:
        bundle = bundles.read_files(files, slug=slug)
    except ContentInvalid as invalid:
        prefix = f"{slug}/"
        problems = [
            Problem(p.path.removeprefix(prefix), p.line, p.message) for p in invalid.problems
        ]
        return None, problems
    return bundle, sorted(editorial_problems(bundle))


def editorial_problems(bundle: CourseBundle) -> list[Problem]:
    problems: list[Problem] = []
    if not bundle.modules:
        problems.append(Problem("course.md", None, "the course has no modules yet: add one"))
    for module in bundle.modules:
        folder = f"modules/{module.position:02d}-{module.slug}"
        if not module.lessons:
            problems.append(
                Problem(f"{folder}/module.yaml", None, "the module has no lessons yet: add one")
            )
        for lesson in module.lessons:
            path = f"{folder}/{lesson.position:02d}-{lesson.slug}.md"
            if not lesson.body.strip():
                problems.append(Problem(path, None, "the lesson is empty: write its text"))
            for number, line in enumerate(lesson.body.splitlines(), start=1):
                if DRAFT_LINK.search(line):
                    problems.append(
                        Problem(
                            path,
                            None,
                            f"line {number} of the text links to the draft's preview address "
                            f"(…{DRAFT_SUFFIX}/…), which learners cannot open: link to "
                            "the course's own address",
                        )
                    )
                if IMAGE.search(line):
                    problems.append(
                        Problem(
                            path,
                            None,
                            f"line {number} of the text has an image: images are not shown to "
                            "learners; use a chart (with its summary and data table) instead",
                        )
                    )
    for chart in bundle.charts:
        if not chart.summary.strip():
            problems.append(
                Problem(f"charts/{chart.slug}.yaml", None, "the chart needs a text summary")
            )
    for dataset in bundle.datasets:
        path = f"datasets/{dataset.slug}.yaml"
        for column in dataset.columns:
            if not column.description.strip():
                problems.append(Problem(path, None, f"describe the column {column.name!r}"))
        for key, label in (("source_organisation", "source"), ("licence", "licence")):
            if not str(getattr(dataset, key, "")).strip():
                problems.append(Problem(path, None, f"the dataset needs its {label}"))
    for exercise in bundle.exercises:
        if not exercise.explanation.strip():
            problems.append(
                Problem(
                    f"exercises/{exercise.slug}.yaml",
                    None,
                    "the exercise has no feedback: write its explanation (the worked answer)",
                )
            )
    return problems


def unembedded_exercises(*, draft: Course) -> list[str]:
    """Titles of the draft's exercises that no lesson embeds. Publishing allows them, but
    they count towards finishing the course while learners cannot reach them."""
    from authoring.references import lesson_embeds
    from exercises.models import Exercise

    embedded = lesson_embeds(draft=draft, kind="exercise")
    return [
        title
        for slug, title in Exercise.objects.filter(course=draft)
        .order_by("title")
        .values_list("slug", "title")
        if slug not in embedded
    ]
