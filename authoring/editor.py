"""The Markdown editor's live preview and insert helpers.

The preview goes through the learners' pipeline: ``courses.content.markdown.render`` with the
draft course's ``CourseResolver``, so charts (with their summaries and data tables), datasets,
glossary links and exercise cards look as they will once published. Problems are the folder
reader's (``markdown.scan``) plus embeds and glossary links the draft does not have, each with
its line in the text.

Using the editor in a page (see ``authoring/includes/markdown_editor.html``):

- view: ``context.update(editor_context(workspace=ws))``; the page shows the result of its own
  no-JavaScript "Preview" button (``render_preview``) where it likes;
- template: ``{% include "authoring/includes/markdown_editor.html" with field=form.body %}``
  inside the form (which carries ``{% csrf_token %}``). The include brings its own script, which
  loads plotly.js and its stylesheet when a preview has a chart, unless the page has them
  already (``components/chart_head.html`` and ``chart_scripts.html``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from authoring.models import Workspace
from courses.content import markdown as md
from courses.content.folder import MAX_LESSON_CHARACTERS
from courses.models import Chart, Course
from courses.rendering import CourseResolver
from exercises.models import Exercise

MAX_PREVIEW_CHARACTERS = MAX_LESSON_CHARACTERS
logger = logging.getLogger(__name__)
# What the author is told when an embed fails to draw (the error itself goes to the log).
FAILED = {
    "chart": "it cannot be drawn from its dataset as the data is now: open the chart to see why",
    "dataset": "its data cannot be read as it is now: open the dataset to see why",
    "exercise": "its question cannot be shown as it is now: open the exercise to see why",
}
NOUNS = {"chart": "chart", "dataset": "dataset", "exercise": "exercise", "term": "glossary term"}
LISTS = {
    "chart": "charts",
    "dataset": "datasets",
    "exercise": "exercises",
    "term": "glossary terms",
}


@dataclass
class Preview:
    html: str
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def fragment(self) -> SafeString:
        """The problems, then the rendered text: what the preview area shows."""
        count = len(self.problems)
        items = format_html_join(
            "",
            "<li>Line {}: {}</li>",
            self.problems,
        )
        problems = (
            format_html(
                '<div class="govuk-inset-text app-preview-problems">'
                '<h3 class="govuk-heading-s">{}</h3>'
                '<ul class="govuk-list govuk-list--bullet">{}</ul></div>',
                "1 problem to fix" if count == 1 else f"{count} problems to fix",
                items,
            )
            if count
            else ""
        )
        body = self.html or format_html(
            '<p class="govuk-body app-preview-empty">{}</p>', "Nothing to preview yet."
        )
        # The rendered text is the Markdown pipeline's output: sanitised by nh3, and embeds
        # built from escaped templates.
        safe_body = mark_safe(body)  # noqa: S308
        return format_html(
            '<div data-preview-problems="{}">{}<div class="app-prose">{}</div></div>',
            count,
            problems,
            safe_body,
        )


@dataclass(frozen=True)
class InsertItem:
    label: str
    code: str  # what the Insert button puts in the text
    block: bool  # an embed, on a line of its own; else inline (a glossary link)


@dataclass(frozen=True)
class EditorContext:
    preview_url: str
    charts: list[InsertItem]
    datasets: list[InsertItem]
    terms: list[InsertItem]
    exercises: list[InsertItem]

    @property
    def groups(self) -> list[tuple[str, str, list[InsertItem]]]:
        return [
            ("charts", "Charts", self.charts),
            ("datasets", "Datasets", self.datasets),
            ("terms", "Glossary terms", self.terms),
            ("exercises", "Exercises", self.exercises),
        ]


def editor_context(*, workspace: Workspace) -> dict[str, Any]:
    """What ``markdown_editor.html`` needs: where to send text for previews, and the draft's
    charts, datasets, glossary terms and exercises to insert."""
    draft = workspace.draft
    return {
        "markdown_editor": EditorContext(
            preview_url=reverse("authoring:preview", kwargs={"course": workspace.slug}),
            charts=[
                InsertItem(title, f"{{{{ chart: {slug} }}}}", True)
                for slug, title in draft.charts.order_by("title").values_list("slug", "title")
            ],
            datasets=[
                InsertItem(title, f"{{{{ dataset: {slug} }}}}", True)
                for slug, title in draft.datasets.order_by("title").values_list("slug", "title")
            ],
            terms=[
                InsertItem(term, f"[[{slug}]]", False)
                for slug, term in draft.glossary_terms.order_by("term").values_list("slug", "term")
            ],
            exercises=[
                InsertItem(title, f"{{{{ exercise: {slug} }}}}", True)
                for slug, title in Exercise.objects.filter(course=draft)
                .order_by("title")
                .values_list("slug", "title")
            ],
        )
    }


class _PreviewResolver(CourseResolver):
    """The learners' resolver, except that an embed that cannot be drawn (a draft chart whose
    dataset changed under it, say) becomes a problem in the preview instead of an error, and
    charts' element ids can be prefixed so that two previews on one page do not share ids."""

    def __init__(self, course: Course, *, dom_prefix: str = "") -> None:
        super().__init__(course)
        self.dom_prefix = dom_prefix
        self.failures: list[tuple[str, str, str]] = []

    def chart_html(self, chart: Chart, *, dom_id: str) -> str:
        return super().chart_html(chart, dom_id=f"{self.dom_prefix}{dom_id}")

    def embed(self, kind: str, slug: str) -> str:
        try:
            return super().embed(kind, slug)
        except Exception:  # noqa: BLE001 - told to the author in words, logged in full
            logger.exception("The preview could not draw the %s %r", kind, slug)
            self.failures.append((kind, slug, FAILED.get(kind, FAILED["chart"])))
            return render_to_string("courses/embeds/missing.html", {"kind": kind, "slug": slug})


def render_preview(*, workspace: Workspace, text: str) -> Preview:
    """The text as learners will see it in this course, and its problems as (line, message)."""
    return _render(workspace=workspace, text=text, dom_prefix="")


def live_preview(*, workspace: Workspace, text: str) -> Preview:
    """render_preview for the editor's script: its charts' ids differ from those of a preview
    the server put in the page (the no-JavaScript Preview button), which may be there too."""
    return _render(workspace=workspace, text=text, dom_prefix="live-")


def _render(*, workspace: Workspace, text: str, dom_prefix: str) -> Preview:
    if len(text) > MAX_PREVIEW_CHARACTERS:
        return Preview(
            html="",
            problems=[
                (1, f"the text is longer than {MAX_PREVIEW_CHARACTERS:,} characters: split it")
            ],
        )
    resolver = _PreviewResolver(workspace.draft, dom_prefix=dom_prefix)
    scanned = md.scan(text)
    rendered = md.render(text, resolver)
    known = {
        "chart": set(resolver.charts),
        "dataset": set(resolver.datasets),
        "term": set(resolver.terms),
        "exercise": set(
            Exercise.objects.filter(course=workspace.draft).values_list("slug", flat=True)
        ),
    }
    problems = list(scanned.problems)
    for ref in scanned.references:
        if ref.slug not in known[ref.kind]:
            problems.append(
                (
                    ref.line,
                    f"there is no {NOUNS[ref.kind]} {ref.slug!r} in this course: check the "
                    f"name against the {LISTS[ref.kind]} listed under Insert",
                )
            )
    for kind, slug, error in resolver.failures:
        line = next((r.line for r in scanned.references if (r.kind, r.slug) == (kind, slug)), 1)
        problems.append((line, f"the {NOUNS.get(kind, kind)} {slug!r} cannot be shown: {error}"))
    return Preview(html=rendered.html, problems=sorted(set(problems)))
