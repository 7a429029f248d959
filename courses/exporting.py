"""Writing a course back out as a folder in the format that import_course reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from courses.models import Course


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _front_matter(meta: dict[str, Any], body: str) -> str:
    return f"---\n{_yaml(meta)}---\n{body.strip()}\n"


def export_course(*, course: Course, destination: Path, slug: str | None = None) -> Path:
    """Write ``course`` to ``destination/<slug>/`` (its own slug unless given); returns that
    folder. Existing files in it are overwritten; files for content the course no longer has
    are removed."""
    root = destination / (slug or course.slug)
    files = course_files(course=course)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    written = {root / name for name in files}
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in written:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return root


def course_files(*, course: Course) -> dict[str, str]:
    """Every file of the course's folder: {path relative to the folder: text}, in the order
    of docs/authoring.md."""
    files: dict[str, str] = {}

    def write(path: str, text: str) -> None:
        files[path] = text

    modules = list(course.modules.prefetch_related("lessons"))
    lesson_minutes = sum(lesson.estimated_minutes for m in modules for lesson in m.lessons.all())
    meta: dict[str, Any] = {"title": course.title, "summary": course.summary}
    if course.audience:
        meta["audience"] = course.audience
    meta["outcomes"] = course.outcomes
    # Left out when it is the lessons' times added up: the reader works that out again, so
    # a course exported and imported gives back the same files.
    if course.estimated_minutes not in (0, lesson_minutes):
        meta["estimated_minutes"] = course.estimated_minutes
    meta["published"] = course.published
    write("course.md", _front_matter(meta, course.introduction))

    terms = [
        {"term": t.term, "slug": t.slug, "definition": t.definition}
        for t in course.glossary_terms.all()
    ]
    if terms:
        write("glossary.yaml", _yaml(terms))

    for dataset in course.datasets.all():
        write(f"datasets/{dataset.slug}.csv", dataset.csv_text)
        write(
            f"datasets/{dataset.slug}.yaml",
            _yaml(
                {
                    "title": dataset.title,
                    "description": dataset.description,
                    "source_organisation": dataset.source_organisation,
                    "source_url": dataset.source_url,
                    "licence": dataset.licence,
                    "data_date": dataset.data_date,
                    "columns": dataset.columns,
                }
            ),
        )

    for chart in course.charts.select_related("dataset"):
        data: dict[str, Any] = {"title": chart.title, "dataset": chart.dataset.slug, **chart.spec}
        data["summary"] = chart.summary
        if chart.source_note:
            data["source_note"] = chart.source_note
        write(f"charts/{chart.slug}.yaml", _yaml(data))

    for exercise in course.exercises.all():
        write(f"exercises/{exercise.slug}.yaml", _yaml(exercise.source))

    for module in modules:
        folder = f"modules/{module.position:02d}-{module.slug}"
        module_meta = {"title": module.title}
        if module.summary:
            module_meta["summary"] = module.summary
        write(f"{folder}/module.yaml", _yaml(module_meta))
        for lesson in module.lessons.all():
            lesson_meta: dict[str, Any] = {
                "title": lesson.title,
                "estimated_minutes": lesson.estimated_minutes,
            }
            if lesson.objectives:
                lesson_meta["objectives"] = lesson.objectives
            write(
                f"{folder}/{lesson.position:02d}-{lesson.slug}.md",
                _front_matter(lesson_meta, lesson.body),
            )
    return files
