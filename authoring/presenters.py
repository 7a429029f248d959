"""What the publishing and history pages show, worked out here so that their templates only
lay it out: where each problem is fixed, and the draft's status in words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse

from authoring.models import Workspace
from courses.content.problems import Problem
from courses.models import Chart, Dataset, Lesson, Module
from exercises.models import Exercise

MODULE_FOLDER = re.compile(r"^modules/(?P<module>\d+-[^/]+)(?:/|$)")
LESSON_FILE = re.compile(r"^modules/(?P<module>\d+-[^/]+)/(?P<lesson>\d+-[^/]+)\.md$")
IN_FOLDER = re.compile(r"^(?P<kind>datasets|charts|exercises)/(?P<slug>[^/]+)\.\w+$")
NUMBER = re.compile(r"^\d+-")


class DraftSlugs:
    """The slugs of the draft's rows, each kind loaded once (when first needed) for a whole
    list of problems."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @cached_property
    def modules(self) -> set[str]:
        return set(
            Module.objects.filter(course=self.workspace.draft)
            .order_by()
            .values_list("slug", flat=True)
        )

    @cached_property
    def lessons(self) -> set[tuple[str, str]]:
        rows = Lesson.objects.filter(module__course=self.workspace.draft)
        return set(rows.order_by().values_list("module__slug", "slug"))

    @cached_property
    def datasets(self) -> set[str]:
        return set(
            Dataset.objects.filter(course=self.workspace.draft)
            .order_by()
            .values_list("slug", flat=True)
        )

    @cached_property
    def charts(self) -> set[str]:
        return set(
            Chart.objects.filter(course=self.workspace.draft)
            .order_by()
            .values_list("slug", flat=True)
        )

    @cached_property
    def exercises(self) -> set[str]:
        return set(
            Exercise.objects.filter(course=self.workspace.draft)
            .order_by()
            .values_list("slug", flat=True)
        )


def fix_url(workspace: Workspace, path: str, *, slugs: DraftSlugs | None = None) -> str:
    """The authoring page where the file at ``path`` (relative to the course folder) is
    edited: the lesson, module, dataset, chart or exercise when the draft has it, else the
    list it would be in. Pass ``slugs`` to look up many paths with the same few queries."""
    slugs = slugs or DraftSlugs(workspace)
    course = workspace.slug

    def url(name: str, **kwargs: str) -> str:
        return reverse(f"authoring:{name}", kwargs={"course": course, **kwargs})

    if path == "course.md":
        return url("details")
    if path == "glossary.yaml":
        return url("glossary")
    if match := LESSON_FILE.match(path):
        module, lesson = NUMBER.sub("", match["module"]), NUMBER.sub("", match["lesson"])
        if (module, lesson) in slugs.lessons:
            return url("lesson_edit", module=module, lesson=lesson)
    if match := MODULE_FOLDER.match(path):
        module = NUMBER.sub("", match["module"])
        if module in slugs.modules:
            return url("module_edit", module=module)
        return url("overview")
    if match := IN_FOLDER.match(path):
        kind, slug = match["kind"], match["slug"]
        noun = kind.removesuffix("s")
        found: set[str] = getattr(slugs, kind)
        return url(f"{noun}_edit", **{noun: slug}) if slug in found else url(kind)
    return url("overview")


@dataclass
class ProblemRow:
    path: str
    line: int | None
    message: str
    url: str


def problem_rows(workspace: Workspace, problems: list[Problem]) -> list[ProblemRow]:
    slugs = DraftSlugs(workspace)
    return [
        ProblemRow(p.path, p.line, p.message, fix_url(workspace, p.path, slugs=slugs))
        for p in problems
    ]


def problem_text(problem: Problem) -> str:
    """A problem as one line for an error summary: "course.md, line 3: title is required"."""
    where = f"{problem.path}, line {problem.line}" if problem.line else problem.path
    return f"{where}: {problem.message}"
