"""Lesson HTML as learners see it: rendered once, cached until the lesson or the course's
embeddable content changes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache

from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from courses.content import charts as chart_content
from courses.content import markdown as md
from courses.content.datasets import Row, column_list, format_value, parse_value
from courses.models import Chart, Course, Dataset, GlossaryTerm, Lesson

PREVIEW_ROWS = 10
CACHE_SECONDS = 60 * 60 * 24


@lru_cache(maxsize=32)
def _parsed_rows(dataset_pk: int, version: str, csv_text: str, columns_json: str) -> list[Row]:
    import json

    columns = column_list(json.loads(columns_json))
    reader = csv.reader(io.StringIO(csv_text, newline=""))
    next(reader)
    return [
        {c.name: parse_value(cell.strip(), c) for c, cell in zip(columns, cells, strict=True)}
        for cells in reader
        if cells
    ]


def dataset_rows(dataset: Dataset) -> list[Row]:
    """Typed rows of a stored (already validated) dataset."""
    import json

    return _parsed_rows(
        dataset.pk, dataset.updated_at.isoformat(), dataset.csv_text, json.dumps(dataset.columns)
    )


def dataset_preview(dataset: Dataset, limit: int = PREVIEW_ROWS) -> list[list[str]]:
    columns = column_list(dataset.columns)
    reader = csv.reader(io.StringIO(dataset.csv_text, newline=""))
    next(reader)
    preview: list[list[str]] = []
    for cells in reader:
        if len(preview) >= limit:
            break
        preview.append(
            [
                format_value(parse_value(cell.strip(), c), c)
                for c, cell in zip(columns, cells, strict=True)
            ]
        )
    return preview


class CourseResolver:
    """Builds the HTML for a course's embeds, loading what it needs once per render."""

    def __init__(self, course: Course) -> None:
        self.course = course
        self._charts: dict[str, Chart] | None = None
        self._datasets: dict[str, Dataset] | None = None
        self._terms: dict[str, GlossaryTerm] | None = None
        self._counter = 0

    @property
    def charts(self) -> dict[str, Chart]:
        if self._charts is None:
            self._charts = {
                c.slug: c
                for c in Chart.objects.filter(course=self.course).select_related("dataset")
            }
        return self._charts

    @property
    def datasets(self) -> dict[str, Dataset]:
        if self._datasets is None:
            self._datasets = {d.slug: d for d in Dataset.objects.filter(course=self.course)}
        return self._datasets

    @property
    def terms(self) -> dict[str, GlossaryTerm]:
        if self._terms is None:
            self._terms = {t.slug: t for t in GlossaryTerm.objects.filter(course=self.course)}
        return self._terms

    def embed(self, kind: str, slug: str) -> str:
        self._counter += 1
        if kind == "chart" and slug in self.charts:
            return self.chart_html(self.charts[slug], dom_id=f"chart-{slug}-{self._counter}")
        if kind == "dataset" and slug in self.datasets:
            return self.dataset_html(self.datasets[slug])
        if kind == "exercise":
            return render_to_string("courses/embeds/exercise.html", {"slug": slug})
        return render_to_string("courses/embeds/missing.html", {"kind": kind, "slug": slug})

    def chart_html(self, chart: Chart, *, dom_id: str) -> str:
        dataset = chart.dataset
        columns = column_list(dataset.columns)
        rows = dataset_rows(dataset)
        return render_to_string(
            "courses/embeds/chart.html",
            {
                "chart": chart,
                "dataset": dataset,
                "dom_id": dom_id,
                "figure_id": f"{dom_id}-figure",
                "figure": chart_content.build_figure(chart.spec, rows, columns),
                "table": chart_content.build_table(chart.spec, rows, columns, title=chart.title),
                "csv_url": reverse(
                    "courses:chart_csv", kwargs={"course": self.course.slug, "chart": chart.slug}
                ),
                "dataset_url": reverse(
                    "courses:dataset", kwargs={"course": self.course.slug, "dataset": dataset.slug}
                ),
            },
        )

    def dataset_html(self, dataset: Dataset) -> str:
        return render_to_string(
            "courses/embeds/dataset.html",
            {
                "dataset": dataset,
                "columns": column_list(dataset.columns),
                "rows": dataset_preview(dataset, limit=5),
                "dataset_url": reverse(
                    "courses:dataset", kwargs={"course": self.course.slug, "dataset": dataset.slug}
                ),
            },
        )

    def callout(self, kind: str, title: str, inner_html: str) -> str:
        return render_to_string(
            "courses/embeds/callout.html", {"kind": kind, "title": title, "inner_html": inner_html}
        )

    def term_link(self, slug: str, text: str) -> str:
        url = reverse("courses:glossary", kwargs={"course": self.course.slug})
        if slug not in self.terms:
            return format_html("{}", text)
        return format_html(
            '<a class="govuk-link app-glossary-link" href="{}#term-{}">{}</a>', url, slug, text
        )


@dataclass(frozen=True)
class RenderedLesson:
    html: str
    headings: list[md.Heading]
    terms: list[tuple[str, str, str]]  # slug, term, definition


def lesson_cache_key(lesson: Lesson, course: Course) -> str:
    return f"lesson-html:{lesson.pk}:{lesson.updated_at.timestamp()}:{course.content_version}"


def rendered_lesson(lesson: Lesson, course: Course) -> RenderedLesson:
    key = lesson_cache_key(lesson, course)
    cached: RenderedLesson | None = cache.get(key)
    if cached is not None:
        return cached
    resolver = CourseResolver(course)
    result = md.render(lesson.body, resolver)
    terms = [
        (slug, resolver.terms[slug].term, resolver.terms[slug].definition)
        for slug in result.terms
        if slug in resolver.terms
    ]
    rendered = RenderedLesson(result.html, result.headings, terms)
    cache.set(key, rendered, CACHE_SECONDS)
    return rendered


def rendered_introduction(course: Course) -> str:
    key = f"course-intro:{course.pk}:{course.updated_at.timestamp()}:{course.content_version}"
    cached: str | None = cache.get(key)
    if cached is None:
        cached = md.render(course.introduction, CourseResolver(course)).html
        cache.set(key, cached, CACHE_SECONDS)
    return cached
