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


def export_course(*, course: Course, destination: Path) -> Path:
    """Write ``course`` to ``destination/<slug>/``; returns that folder. Existing files in it
    are overwritten; files for content the course no longer has are removed."""
    root = destination / course.slug
    (root / "datasets").mkdir(parents=True, exist_ok=True)
    (root / "charts").mkdir(exist_ok=True)
    (root / "modules").mkdir(exist_ok=True)
    (root / "exercises").mkdir(exist_ok=True)
    written: set[Path] = set()

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.add(path)

    meta: dict[str, Any] = {"title": course.title, "summary": course.summary}
    if course.audience:
        meta["audience"] = course.audience
    meta["outcomes"] = course.outcomes
    meta["estimated_minutes"] = course.estimated_minutes
    meta["published"] = course.published
    write(root / "course.md", _front_matter(meta, course.introduction))

    terms = [
        {"term": t.term, "slug": t.slug, "definition": t.definition}
        for t in course.glossary_terms.all()
    ]
    if terms:
        write(root / "glossary.yaml", _yaml(terms))

    for dataset in course.datasets.all():
        write(root / "datasets" / f"{dataset.slug}.csv", dataset.csv_text)
        write(
            root / "datasets" / f"{dataset.slug}.yaml",
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
        write(root / "charts" / f"{chart.slug}.yaml", _yaml(data))

    for exercise in course.exercises.all():
        write(root / "exercises" / f"{exercise.slug}.yaml", _yaml(exercise.source))

    for module in course.modules.prefetch_related("lessons"):
        folder = root / "modules" / f"{module.position:02d}-{module.slug}"
        module_meta = {"title": module.title}
        if module.summary:
            module_meta["summary"] = module.summary
        write(folder / "module.yaml", _yaml(module_meta))
        for lesson in module.lessons.all():
            lesson_meta: dict[str, Any] = {
                "title": lesson.title,
                "estimated_minutes": lesson.estimated_minutes,
            }
            if lesson.objectives:
                lesson_meta["objectives"] = lesson.objectives
            write(
                folder / f"{lesson.position:02d}-{lesson.slug}.md",
                _front_matter(lesson_meta, lesson.body),
            )

    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in written:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return root
