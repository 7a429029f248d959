"""The Markdown editor: its preview through the learners' pipeline, the preview address, and
the editor's markup with its insert helpers."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from authoring import editor
from courses.models import Chart, Course, GlossaryTerm

pytestmark = pytest.mark.django_db


def preview_url(workspace: Any) -> str:
    return reverse("authoring:preview", kwargs={"course": workspace.slug})


class TestRenderPreview:
    def test_renders_charts_datasets_terms_and_exercises_of_the_draft(self, workspace: Any) -> None:
        text = (
            "Averages such as the [[median]].\n\n"
            "{{ chart: nile-line }}\n\n"
            "{{ dataset: nile-sample }}\n\n"
            "{{ exercise: flaws }}\n"
        )
        preview = editor.render_preview(workspace=workspace, text=text)
        assert preview.problems == []
        html = preview.html
        # The chart as learners get it: figure, summary and the data as a table.
        assert "data-chart-figure" in html
        assert "The flow varied between 963 and 1,210" in html
        assert "Data for the chart: Nile flow, 1871 to 1875" in html
        # Links go to the draft's own learner pages (the preview), not the live course.
        assert 'href="/courses/mini-course_draft/glossary/#term-median"' in html
        assert 'data-exercise="flaws"' in html
        assert "What is wrong with the bars?" in html
        assert "Nile flow sample: the first 5 of 5 rows" in html  # the dataset's table

    def test_uses_the_draft_not_the_live_course(self, workspace: Any) -> None:
        chart = Chart.objects.get(course=workspace.draft, slug="nile-line")
        chart.summary = "A summary only the draft has."
        chart.save()
        preview = editor.render_preview(workspace=workspace, text="{{ chart: nile-line }}\n")
        assert "A summary only the draft has." in preview.html

    def test_reports_bad_embeds_and_terms_with_their_lines(self, workspace: Any) -> None:
        text = (
            "First line.\n"
            "\n"
            "{{ chart: no-such-chart }}\n"
            "\n"
            "{{ widget: flow }}\n"
            "\n"
            "See [[no-such-term]].\n"
            "\n"
            "{{ exercise: missing-one }}\n"
            "\n"
            "{{ dataset: gone }}\n"
            "\n"
            "# A top heading\n"
            "\n"
            "::: key-idea\n"
            "never closed\n"
        )
        problems = editor.render_preview(workspace=workspace, text=text).problems
        lines = {line: message for line, message in problems}
        assert "no chart 'no-such-chart'" in lines[3]
        assert "unknown embed 'widget'" in lines[5]
        assert "no glossary term 'no-such-term'" in lines[7]
        assert "no exercise 'missing-one'" in lines[9]
        assert "no dataset 'gone'" in lines[11]
        assert "use ## for headings" in lines[13]
        assert "never closed" in lines[15]
        assert [line for line, _ in problems] == sorted(line for line, _ in problems)

    def test_a_missing_embed_shows_a_warning_in_place(self, workspace: Any) -> None:
        preview = editor.render_preview(workspace=workspace, text="{{ chart: no-such-chart }}\n")
        assert "This chart (no-such-chart) is not available" in preview.html
        assert "1 problem to fix" in preview.fragment

    def test_hostile_markdown_is_inert(self, workspace: Any) -> None:
        text = (
            "<script>alert('x')</script>\n\n"
            "[click](javascript:alert(1))\n\n"
            '<img src="x" onerror="alert(2)">\n\n'
            '<a href="#" onclick="alert(3)">there</a>\n\n'
            '<iframe src="https://example.com"></iframe>\n\n'
            '<div style="position:fixed">cover</div>\n'
        )
        fragment = str(editor.render_preview(workspace=workspace, text=text).fragment)
        assert "<script" not in fragment
        assert "javascript:" not in fragment
        assert "onerror" not in fragment
        assert "onclick" not in fragment
        assert "<iframe" not in fragment
        assert "style=" not in fragment
        assert "alert(" not in fragment or "<script" not in fragment

    def test_refuses_text_longer_than_a_lesson_may_be(self, workspace: Any) -> None:
        text = "a" * (editor.MAX_PREVIEW_CHARACTERS + 1)
        preview = editor.render_preview(workspace=workspace, text=text)
        assert preview.html == ""
        assert "longer than 100,000 characters" in preview.problems[0][1]

    def test_a_chart_that_cannot_be_drawn_is_a_problem_not_an_error(self, workspace: Any) -> None:
        chart = Chart.objects.get(course=workspace.draft, slug="nile-line")
        chart.spec = {**chart.spec, "x": "gone"}  # as if its dataset lost the column
        chart.save()
        preview = editor.render_preview(
            workspace=workspace, text="Text\n\n{{ chart: nile-line }}\n"
        )
        assert "This chart (nile-line) is not available" in preview.html
        assert any(line == 3 and "cannot be shown" in message for line, message in preview.problems)


class TestEditorContext:
    def test_lists_what_the_draft_has_to_insert(self, workspace: Any) -> None:
        GlossaryTerm.objects.create(
            course=workspace.draft, slug="draft-only", term="Draft only", definition="New."
        )
        context = editor.editor_context(workspace=workspace)["markdown_editor"]
        assert context.preview_url == preview_url(workspace)
        assert [i.code for i in context.charts] == [
            "{{ chart: nile-bars }}",
            "{{ chart: nile-line }}",
        ]
        assert [i.code for i in context.datasets] == ["{{ dataset: nile-sample }}"]
        assert "[[draft-only]]" in [i.code for i in context.terms]
        assert "[[median]]" in [i.code for i in context.terms]
        assert "{{ exercise: flaws }}" in [i.code for i in context.exercises]
        assert all(i.block for i in context.charts) and not any(i.block for i in context.terms)

    def test_lists_nothing_of_other_courses(self, new_workspace: Any, workspace: Any) -> None:
        context = editor.editor_context(workspace=new_workspace)["markdown_editor"]
        assert context.charts == context.datasets == context.terms == context.exercises == []


class BodyForm(forms.Form):
    body = forms.CharField(label="Lesson text", help_text="Markdown.", widget=forms.Textarea)


class TestEditorMarkup:
    def render(self, workspace: Any, **extra: Any) -> str:
        context = {"workspace": workspace, "field": BodyForm()["body"], **extra}
        return render_to_string("authoring/includes/markdown_editor.html", context)

    def test_has_the_textarea_insert_buttons_and_a_preview_area(self, workspace: Any) -> None:
        html = self.render(workspace, **editor.editor_context(workspace=workspace))
        assert 'class="govuk-label' in html and "Lesson text" in html
        assert '<textarea name="body"' in html and "govuk-textarea" in html
        assert 'data-preview-url="/author/mini-course/preview/"' in html
        assert 'aria-live="polite"' in html
        assert ">Preview</h2>" in html
        # Insert buttons are real buttons (hidden until the script runs) with the text to copy.
        assert 'type="button"' in html
        assert 'data-insert="{{ chart: nile-line }}"' in html
        assert '<code class="app-insert-list__code">{{ chart: nile-line }}</code>' in html
        assert '<code class="app-insert-list__code">[[mean]]</code>' in html
        assert "js/authoring-editor.mjs" in html
        assert "<script>" not in html  # nothing inline: the CSP forbids it

    def test_live_and_server_previews_do_not_share_ids(
        self, workspace: Any, editor_client: Client
    ) -> None:
        server = editor.render_preview(workspace=workspace, text="{{ chart: nile-line }}\n")
        live = editor_client.post(preview_url(workspace), {"text": "{{ chart: nile-line }}\n"})
        assert 'id="chart-nile-line-1-figure"' in server.html
        assert 'id="live-chart-nile-line-1-figure"' in live.content.decode()

    def test_shows_errors_on_the_field(self, workspace: Any) -> None:
        form = BodyForm(data={"body": ""})
        form.is_valid()
        html = render_to_string(
            "authoring/includes/markdown_editor.html",
            {"workspace": workspace, "field": form["body"]},
        )
        assert "govuk-form-group--error" in html and "govuk-error-message" in html


class TestPreviewView:
    def test_returns_the_rendered_fragment(self, workspace: Any, editor_client: Client) -> None:
        response = editor_client.post(
            preview_url(workspace), {"text": "Hello **there**\n\n{{ chart: nile-line }}\n"}
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert response["Cache-Control"] == "no-store"
        body = response.content.decode()
        assert "<strong>there</strong>" in body
        assert "data-chart-figure" in body
        assert 'data-preview-problems="0"' in body
        assert "<html" not in body  # a fragment, not a page

    def test_lists_problems_with_lines(self, workspace: Any, editor_client: Client) -> None:
        response = editor_client.post(preview_url(workspace), {"text": "A\n\n{{ chart: nope }}\n"})
        body = response.content.decode()
        assert 'data-preview-problems="1"' in body
        assert "Line 3: there is no chart &#x27;nope&#x27;" in body

    def test_reviewers_may_preview(self, workspace: Any, reviewer_client: Client) -> None:
        response = reviewer_client.post(preview_url(workspace), {"text": "Hello"})
        assert response.status_code == 200

    def test_people_without_a_role_get_404(self, workspace: Any, outsider_client: Client) -> None:
        response = outsider_client.post(preview_url(workspace), {"text": "Hello"})
        assert response.status_code == 404

    def test_signed_out_people_are_sent_to_sign_in(self, workspace: Any, client: Client) -> None:
        response = client.post(preview_url(workspace), {"text": "Hello"})
        assert response.status_code == 302

    def test_only_post(self, workspace: Any, editor_client: Client) -> None:
        assert editor_client.get(preview_url(workspace)).status_code == 405

    def test_needs_the_csrf_token(self, workspace: Any, editor: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        response = client.post(preview_url(workspace), {"text": "Hello"})
        assert response.status_code == 403

    def test_refuses_text_over_the_cap(self, workspace: Any, editor_client: Client) -> None:
        text = "word " * (editor.MAX_PREVIEW_CHARACTERS // 5 + 1)
        response = editor_client.post(preview_url(workspace), {"text": text})
        assert response.status_code == 400
        assert "longer than 100,000 characters" in response.content.decode()

    def test_previews_a_new_course_with_nothing_in_it(
        self, new_workspace: Any, author_client: Client
    ) -> None:
        response = author_client.post(preview_url(new_workspace), {"text": "{{ chart: x }}"})
        assert response.status_code == 200
        assert "there is no chart" in response.content.decode()
        assert Course.all_objects.filter(slug="new-course_draft").exists()
