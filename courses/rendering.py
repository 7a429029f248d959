"""Lesson HTML as learners see it: rendered once, cached until the lesson or the course's
embeddable content changes."""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from courses.content import markdown as md
from courses.content.datasets import Row, column_list, format_value, parse_value
from courses.data_charts import data_chart
from courses.models import Chart, Course, Dataset, GlossaryTerm, Lesson
from courses.selectors import LessonLink, lesson_sequence
from masterclass import caching

PREVIEW_ROWS = 10
CACHE_SECONDS = 60 * 60 * 24


_rows: OrderedDict[tuple[int, str], list[Row]] = OrderedDict()
_lock = threading.Lock()  # threaded servers share these per-process caches
ROW_CACHE_ENTRIES = 32


def dataset_rows(dataset: Dataset) -> list[Row]:
    """Typed rows of a stored (already validated) dataset, parsed once per version."""
    key = (dataset.pk, dataset.updated_at.isoformat())
    with _lock:
        if (rows := _rows.get(key)) is not None:
            _rows.move_to_end(key)
            return rows
    columns = column_list(dataset.columns)
    reader = csv.reader(io.StringIO(dataset.csv_text, newline=""))
    next(reader)
    rows = [
        {c.name: parse_value(cell.strip(), c) for c, cell in zip(columns, cells, strict=True)}
        for cells in reader
        if cells
    ]
    with _lock:
        _rows[key] = rows
        while len(_rows) > ROW_CACHE_ENTRIES:
            _rows.popitem(last=False)
    return rows


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
            from exercises.models import Exercise

            exercise = Exercise.objects.filter(course=self.course, slug=slug).first()
            if exercise is not None:
                return render_to_string("courses/embeds/exercise.html", {"exercise": exercise})
        return render_to_string("courses/embeds/missing.html", {"kind": kind, "slug": slug})

    def chart_html(self, chart: Chart, *, dom_id: str) -> str:
        dataset = chart.dataset
        figure = data_chart(
            dom_id=dom_id,
            title=chart.title,
            summary=chart.summary,
            spec=chart.spec,
            columns=column_list(dataset.columns),
            rows=dataset_rows(dataset),
        )
        return render_to_string(
            "courses/embeds/chart.html",
            {
                "chart": figure,
                "source_note": chart.source_note,
                "dataset": dataset,
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

    def term_url(self, slug: str) -> str | None:
        if slug not in self.terms:
            return None
        return reverse("courses:glossary", kwargs={"course": self.course.slug}) + f"#term-{slug}"


@dataclass(frozen=True)
class RenderedLesson:
    """The parts of a lesson page that are the same for every learner."""

    headings: list[md.Heading]
    terms: list[tuple[str, str, str]]  # slug, term, definition
    article_html: str  # title, objectives, contents, body and terms, as on the page
    # The lessons before and after ({title, url, module_id}). Whether a learner may follow
    # them depends on their cohort's release dates, so the links are drawn per request.
    previous_lesson: dict[str, Any] | None
    next_lesson: dict[str, Any] | None
    has_charts: bool
    # The page's own links (the course, the module on it, marking the lesson read): the same
    # for everyone, so worked out once rather than on every request.
    course_url: str
    module_url: str
    mark_read_url: str


def _lesson_url(course: Course, link: LessonLink) -> str:
    return reverse(
        "courses:lesson",
        kwargs={"course": course.slug, "module": link.module_slug, "lesson": link.slug},
    )


def _link(course: Course, link: LessonLink | None) -> dict[str, Any] | None:
    if link is None:
        return None
    return {"title": link.title, "url": _lesson_url(course, link), "module_id": link.module_id}


def lesson_navigation(lesson: Lesson, course: Course) -> dict[str, Any]:
    """Where a lesson sits in its course: position, previous and next (whatever the reader's
    release dates: see ``courses.presenters.lesson_links``). One query."""
    sequence = lesson_sequence(course=course)
    index = next(i for i, link in enumerate(sequence) if link.id == lesson.pk)
    return {
        "position": index + 1,
        "lessons_total": len(sequence),
        "previous_lesson": _link(course, sequence[index - 1] if index > 0 else None),
        "next_lesson": _link(course, sequence[index + 1] if index + 1 < len(sequence) else None),
    }


def _code_version() -> str:
    """A fingerprint of the code and templates that make lesson HTML, so that a release that
    changes how lessons render (a sanitiser fix, say) never serves HTML cached by the last."""
    base = Path(__file__).resolve().parent
    sources = [
        base / "rendering.py", base / "content" / "markdown.py", base / "content" / "charts.py",
        base / "data_charts.py", base.parent / "templates" / "components" / "data_chart.html",
        *sorted((base / "templates" / "courses").rglob("*.html")),
    ]  # fmt: skip
    digest = hashlib.sha256()
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


RENDER_VERSION = _code_version()


def lesson_cache_key(lesson: Lesson, course: Course) -> str:
    return (
        f"lesson-html:{RENDER_VERSION}:{lesson.pk}:{lesson.updated_at.timestamp()}:"
        f"{course.content_version}"
    )


# Rendered lessons also stay in this process's memory: their keys change whenever the lesson or
# its course changes, so an entry here is never stale, and a hit costs no trip to the shared
# cache (nor unpickling about 100 KB of HTML).
_local: OrderedDict[str, RenderedLesson] = OrderedDict()
LOCAL_ENTRIES = 256


def rendered_lesson(lesson: Lesson, course: Course) -> RenderedLesson:
    key = lesson_cache_key(lesson, course)
    with _lock:
        if (local := _local.get(key)) is not None:
            _local.move_to_end(key)
            return local
    cached: RenderedLesson | None = caching.get(key)
    if cached is not None:
        _remember(key, cached)
        return cached
    resolver = CourseResolver(course)
    result = md.render(lesson.body, resolver)
    terms = [
        (slug, resolver.terms[slug].term, resolver.terms[slug].definition)
        for slug in result.terms
        if slug in resolver.terms
    ]
    # Previous and next are cached with the lesson: any change to the course's structure
    # bumps its content_version, which is part of the key.
    context = {
        "course": course,
        "module": lesson.module,
        "lesson": lesson,
        "body": result.html,
        "headings": result.headings,
        "terms": terms,
        "glossary_url": reverse("courses:glossary", kwargs={"course": course.slug}),
        **lesson_navigation(lesson, course),
    }
    rendered = RenderedLesson(
        headings=result.headings,
        terms=terms,
        article_html=render_to_string("courses/_lesson_article.html", context),
        previous_lesson=context["previous_lesson"],
        next_lesson=context["next_lesson"],
        has_charts="data-chart-figure" in result.html,
        course_url=course.get_absolute_url(),
        module_url=f"{course.get_absolute_url()}#module-{lesson.module.slug}",
        mark_read_url=reverse(
            "courses:mark_read",
            kwargs={"course": course.slug, "module": lesson.module.slug, "lesson": lesson.slug},
        ),
    )
    caching.set(key, rendered, CACHE_SECONDS)
    _remember(key, rendered)
    return rendered


def forget_local_copies() -> None:
    with _lock:
        _local.clear()
        _rows.clear()


def _remember(key: str, rendered: RenderedLesson) -> None:
    with _lock:
        _local[key] = rendered
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def rendered_introduction(course: Course) -> str:
    key = (
        f"course-intro:{RENDER_VERSION}:{course.pk}:{course.updated_at.timestamp()}:"
        f"{course.content_version}"
    )
    cached: str | None = caching.get(key)
    if cached is None:
        cached = md.render(course.introduction, CourseResolver(course)).html
        caching.set(key, cached, CACHE_SECONDS)
    return cached
