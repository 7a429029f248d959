"""The chart builder: the list, the form with its checks and preview, and deleting."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from authoring import bundles, charting, services
from authoring.checks import publish_problems
from authoring.models import CourseRole, Role
from courses import services as course_services
from courses.models import Chart, Course, Dataset
from exercises.models import Exercise

pytestmark = pytest.mark.django_db


def url(name: str, workspace: Any, **kwargs: str) -> str:
    return reverse(f"authoring:{name}", kwargs={"course": workspace.slug, **kwargs})


def good_chart(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Flow in the wet years",
        "slug": "wet-flow",
        "dataset": "nile-sample",
        "chart_type": "bar",
        "x": "year",
        "y": ["volume"],
        "colour": "",
        "filter_1_column": "volume",
        "filter_1_test": "min",
        "filter_1_value": "1100",
        "filter_2_column": "",
        "filter_2_test": "equals",
        "filter_2_value": "",
        "filter_3_column": "",
        "filter_3_test": "equals",
        "filter_3_value": "",
        "x_title": "Year",
        "y_title": "",
        "y_min": "0",
        "y_max": "",
        "sort": "descending",
        "barmode": "group",
        "summary": "Four of the five years had a flow above 1,100; 1874 was the highest.",
        "source_note": "",
        "action": "save",
    }
    data.update(changes)
    return data


def chart_problems_in_draft(workspace: Any) -> list[str]:
    files = bundles.files_of(Course.all_objects.get(pk=workspace.draft.pk))
    return [str(p) for p in publish_problems(files=files, slug=workspace.slug) if "chart" in p.path]


def draft_chart(workspace: Any, slug: str) -> Chart:
    return Chart.objects.get(course=workspace.draft, slug=slug)


class TestChartList:
    def test_lists_the_drafts_charts_with_where_they_are_used(
        self, workspace: Any, editor_client: Client
    ) -> None:
        response = editor_client.get(url("charts", workspace))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nile flow, 1871 to 1875" in html and "Nile flow by year" in html
        assert "Nile flow sample" in html  # the dataset
        assert "Vertical bars" in html and "Line" in html
        assert "Welcome" in html  # the lesson that embeds nile-line
        assert "What is wrong with the bars?" in html  # the exercise on nile-bars
        assert url("chart_edit", workspace, chart="nile-line") in html
        assert url("chart_create", workspace) in html

    def test_reviewers_see_the_list_without_edit_links(
        self, workspace: Any, reviewer_client: Client
    ) -> None:
        response = reviewer_client.get(url("charts", workspace))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nile flow by year" in html
        assert url("chart_edit", workspace, chart="nile-line") not in html
        assert url("chart_create", workspace) not in html

    def test_people_without_a_role_get_404(self, workspace: Any, outsider_client: Client) -> None:
        assert outsider_client.get(url("charts", workspace)).status_code == 404

    def test_shows_only_the_drafts_charts(self, workspace: Any, editor_client: Client) -> None:
        live_only = Chart.objects.get(course=workspace.live, slug="nile-bars")
        live_only.title = "A title only the live course has"
        live_only.save()
        html = editor_client.get(url("charts", workspace)).content.decode()
        assert "A title only the live course has" not in html


class TestCreate:
    def test_the_form_offers_the_only_dataset_and_its_columns(
        self, workspace: Any, editor_client: Client
    ) -> None:
        response = editor_client.get(url("chart_create", workspace))
        assert response.status_code == 200
        html = response.content.decode()
        assert '<option value="nile-sample" selected>' in html
        assert 'value="year"' in html and 'value="volume"' in html
        # y offers numeric columns only.
        assert 'name="y" type="checkbox" value="note"' not in html
        assert "js/chart-builder.mjs" in html and "chart-builder-columns" in html

    def test_with_several_datasets_the_first_step_chooses_one(
        self, workspace: Any, editor_client: Client
    ) -> None:
        second = Dataset.objects.get(course=workspace.draft)
        second.pk = None
        second.slug = "second-sample"
        second.title = "Second sample"
        second.save()
        response = editor_client.get(url("chart_create", workspace))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Which dataset will the chart draw from?" in html
        assert 'value="second-sample"' in html
        response = editor_client.get(url("chart_create", workspace), {"dataset": "second-sample"})
        html = response.content.decode()
        assert '<option value="second-sample" selected>' in html
        assert 'value="volume"' in html
        for query in ({"dataset": "not-ours"}, {"step": "dataset"}):
            bad = editor_client.get(url("chart_create", workspace), query)
            assert bad.status_code == 400
            assert "Choose the dataset the chart draws from" in bad.content.decode()

    def test_without_a_dataset_it_says_to_upload_one(
        self, new_workspace: Any, author_client: Client
    ) -> None:
        response = author_client.get(url("chart_create", new_workspace))
        assert response.status_code == 200
        assert "Upload a dataset" in response.content.decode()

    def test_saves_a_chart_that_publishing_accepts(
        self, workspace: Any, editor_client: Client, editor: Any
    ) -> None:
        version = Course.all_objects.get(pk=workspace.draft.pk).content_version
        response = editor_client.post(url("chart_create", workspace), good_chart())
        assert response.status_code == 302
        assert response["Location"] == url("charts", workspace)
        chart = draft_chart(workspace, "wet-flow")
        assert chart.title == "Flow in the wet years"
        assert chart.dataset.course_id == workspace.draft.pk
        assert chart.summary.startswith("Four of the five years")
        assert chart.spec == {
            "type": "bar",
            "x": "year",
            "y": "volume",
            "filters": [{"column": "volume", "min": 1100}],
            "x_title": "Year",
            "y_min": 0,
            "sort": "descending",
        }
        assert chart_problems_in_draft(workspace) == []
        assert Course.all_objects.get(pk=workspace.draft.pk).content_version > version
        event = AuditEvent.objects.get(action="authoring.create")
        assert event.actor_email == editor.email
        assert event.details["what"] == f"chart:{chart.pk}"
        assert not Chart.objects.filter(course=workspace.live, slug="wet-flow").exists()

    def test_saves_several_y_columns_and_merged_filters(
        self, workspace: Any, editor_client: Client
    ) -> None:
        dataset = Dataset.objects.get(course=workspace.draft)
        dataset.columns = [*dataset.columns[:2], {**dataset.columns[1], "name": "other"}]
        dataset.csv_text = "year,volume,other\n1871,1120,1\n1872,1160,2\n1873,963,3\n"
        dataset.row_count = 3
        dataset.save()
        data = good_chart(
            chart_type="line",
            y=["volume", "other"],
            filter_1_column="year",
            filter_1_test="min",
            filter_1_value="1871",
            filter_2_column="year",
            filter_2_test="max",
            filter_2_value="1872",
        )
        response = editor_client.post(url("chart_create", workspace), data)
        assert response.status_code == 302, response.content.decode()
        spec = draft_chart(workspace, "wet-flow").spec
        assert spec["y"] == ["volume", "other"]
        assert spec["filters"] == [{"column": "year", "min": 1871, "max": 1872}]

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"x": "nope"}, "x", "The dataset has no column &#x27;nope&#x27;"),
            ({"y": ["note"]}, "y", "Column &#x27;note&#x27; is not numeric"),
            ({"y": []}, "y", "Choose at least one numeric column"),
            (
                {"filter_1_column": "year", "filter_1_value": "3000"},
                None,
                "The filters leave no rows to draw",
            ),
            ({"filter_1_value": "lots"}, "filter_1_value", "&#x27;lots&#x27; is not a number"),
            ({"filter_1_column": "note", "filter_1_test": "min"}, "filter_1_test", "min and max"),
            ({"filter_1_test": ""}, "filter_1_test", "Choose how filter 1 tests volume"),
            ({"filter_1_value": ""}, "filter_1_value", "Enter the value filter 1 compares"),
            ({"summary": "  "}, "summary", "Write a summary of what the chart shows"),
            ({"title": ""}, "title", "Enter a title for the chart"),
            ({"slug": "Not A Slug"}, "slug", "Enter a short name"),
            ({"slug": "nile-line"}, "slug", "already has a chart called nile-line"),
            ({"chart_type": "pie"}, "chart_type", "Select a valid choice"),
            ({"colour": "note", "y": ["volume", "year"]}, "colour", "either several y columns"),
            ({"y_min": "ten"}, "y_min", "Enter the lowest value as a number"),
            ({"y_min": "5", "y_max": "1"}, "y_max", "must be more than the lowest"),
            ({"dataset": ""}, "dataset", "Choose the dataset the chart draws from"),
        ],
    )
    def test_refuses_bad_input_saying_why(
        self,
        workspace: Any,
        editor_client: Client,
        changes: dict[str, Any],
        field: str | None,
        message: str,
    ) -> None:
        response = editor_client.post(url("chart_create", workspace), good_chart(**changes))
        assert response.status_code == 400
        html = response.content.decode()
        assert "govuk-error-summary" in html
        assert message in html
        if field is not None:
            assert f'href="#id_{field}' in html  # the summary links to the field
        assert "<title>Error: " in html
        assert not Chart.objects.filter(slug="wet-flow").exists()
        assert not AuditEvent.objects.filter(action__startswith="authoring.").exists()

    def test_refuses_a_dataset_of_another_course(
        self, workspace: Any, new_workspace: Any, editor_client: Client
    ) -> None:
        theirs = Dataset.objects.get(course=workspace.draft)
        theirs.pk = None
        theirs.course = new_workspace.draft
        theirs.slug = "someone-elses"
        theirs.save()
        response = editor_client.post(
            url("chart_create", workspace), good_chart(dataset="someone-elses")
        )
        assert response.status_code == 400
        assert "Choose one of this course&#x27;s datasets" in response.content.decode()
        assert not Chart.objects.filter(slug="wet-flow").exists()

    def test_the_live_courses_dataset_is_not_the_drafts(
        self, workspace: Any, editor_client: Client
    ) -> None:
        editor_client.post(url("chart_create", workspace), good_chart())
        chart = draft_chart(workspace, "wet-flow")
        assert chart.dataset == Dataset.objects.get(course=workspace.draft)

    def test_preview_button_draws_without_saving(
        self, workspace: Any, editor_client: Client
    ) -> None:
        response = editor_client.post(url("chart_create", workspace), good_chart(action="preview"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-chart-figure="chart-preview-figure"' in html
        assert "Four of the five years had a flow above 1,100" in html
        assert "Data for the chart: Flow in the wet years" in html
        assert not Chart.objects.filter(slug="wet-flow").exists()

    def test_show_columns_step_fills_the_columns_without_errors(
        self, workspace: Any, editor_client: Client
    ) -> None:
        data = {"dataset": "nile-sample", "title": "Kept", "action": "columns"}
        response = editor_client.post(url("chart_create", workspace), data)
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-error-summary" not in html
        assert 'value="Kept"' in html
        assert '<option value="volume">' in html
        assert not Chart.objects.filter(course=workspace.draft, title="Kept").exists()

    def test_reviewers_are_refused(self, workspace: Any, reviewer_client: Client) -> None:
        assert reviewer_client.get(url("chart_create", workspace)).status_code == 403
        response = reviewer_client.post(url("chart_create", workspace), good_chart())
        assert response.status_code == 403
        assert not Chart.objects.filter(slug="wet-flow").exists()

    def test_people_without_a_role_get_404(self, workspace: Any, outsider_client: Client) -> None:
        assert outsider_client.get(url("chart_create", workspace)).status_code == 404
        assert outsider_client.post(url("chart_create", workspace), good_chart()).status_code == 404


class TestEdit:
    def test_the_form_shows_the_chart_as_it_is(self, workspace: Any, editor_client: Client) -> None:
        response = editor_client.get(url("chart_edit", workspace, chart="nile-bars"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="Nile flow by year"' in html
        assert 'name="chart_type" type="radio" value="bar" checked' in html
        assert '<option value="year" selected>' in html
        assert 'name="filter_1_value" value="1872"' in html
        assert 'name="filter_2_value" value="1874"' in html
        assert 'name="loaded"' in html

    def test_saving_unchanged_keeps_the_chart_file_the_same(
        self, workspace: Any, editor_client: Client
    ) -> None:
        before = bundles.files_of(workspace.draft)["charts/nile-bars.yaml"]
        response = unchanged_post(editor_client, url("chart_edit", workspace, chart="nile-bars"))
        assert response.status_code == 302, response.content.decode()
        assert bundles.files_of(workspace.draft)["charts/nile-bars.yaml"] == before

    def test_saves_changes_and_records_them(
        self, workspace: Any, editor_client: Client, editor: Any
    ) -> None:
        chart = draft_chart(workspace, "nile-line")
        data = good_chart(
            slug="nile-line",
            chart_type="line",
            filter_1_column="",
            filter_1_value="",
            title="A clearer title",
            loaded=chart.updated_at.isoformat(),
        )
        response = editor_client.post(url("chart_edit", workspace, chart="nile-line"), data)
        assert response.status_code == 302, response.content.decode()
        chart.refresh_from_db()
        assert chart.title == "A clearer title"
        assert chart.spec["type"] == "line" and "filters" not in chart.spec
        assert AuditEvent.objects.get(action="authoring.edit").details["what"] == (
            f"chart:{chart.pk}"
        )
        assert chart_problems_in_draft(workspace) == []

    def test_refuses_to_overwrite_someone_elses_later_save(
        self, workspace: Any, editor_client: Client
    ) -> None:
        chart = draft_chart(workspace, "nile-line")
        opened = chart.updated_at.isoformat()
        chart.title = "Saved by another author meanwhile"
        chart.save()
        data = good_chart(slug="nile-line", title="Mine", loaded=opened)
        response = editor_client.post(url("chart_edit", workspace, chart="nile-line"), data)
        assert response.status_code == 400
        assert "saved this chart" in response.content.decode()
        chart.refresh_from_db()
        assert chart.title == "Saved by another author meanwhile"

    def test_refuses_a_new_short_name_while_lessons_use_it(
        self, workspace: Any, editor_client: Client
    ) -> None:
        data = good_chart(slug="renamed")
        response = editor_client.post(url("chart_edit", workspace, chart="nile-line"), data)
        assert response.status_code == 400
        assert "use this chart by its short name nile-line" in response.content.decode()
        assert draft_chart(workspace, "nile-line")

    def test_renames_a_chart_nothing_uses(self, workspace: Any, editor_client: Client) -> None:
        editor_client.post(url("chart_create", workspace), good_chart())
        data = good_chart(slug="wetter-flow")
        response = editor_client.post(url("chart_edit", workspace, chart="wet-flow"), data)
        assert response.status_code == 302
        assert draft_chart(workspace, "wetter-flow")

    def test_keeps_annotations_it_does_not_edit(
        self, workspace: Any, editor_client: Client
    ) -> None:
        chart = draft_chart(workspace, "nile-line")
        chart.spec = {**chart.spec, "annotations": [{"x": 1873, "y": 963, "text": "Low"}]}
        chart.save()
        html = editor_client.get(url("chart_edit", workspace, chart="nile-line")).content.decode()
        assert "kept as they are" in html
        data = good_chart(slug="nile-line", chart_type="line", filter_1_column="")
        data["filter_1_value"] = ""
        editor_client.post(url("chart_edit", workspace, chart="nile-line"), data)
        chart.refresh_from_db()
        assert chart.spec["annotations"] == [{"x": 1873, "y": 963, "text": "Low"}]

    def test_another_courses_chart_is_not_found(
        self, workspace: Any, new_workspace: Any, author_client: Client
    ) -> None:
        response = author_client.get(url("chart_edit", new_workspace, chart="nile-line"))
        assert response.status_code == 404

    def test_reviewers_are_refused(self, workspace: Any, reviewer_client: Client) -> None:
        edit = url("chart_edit", workspace, chart="nile-line")
        assert reviewer_client.get(edit).status_code == 403
        assert reviewer_client.post(edit, good_chart(slug="nile-line")).status_code == 403
        assert draft_chart(workspace, "nile-line").title == "Nile flow, 1871 to 1875"

    def test_people_without_a_role_get_404(self, workspace: Any, outsider_client: Client) -> None:
        edit = url("chart_edit", workspace, chart="nile-line")
        assert outsider_client.get(edit).status_code == 404
        assert outsider_client.post(edit, good_chart()).status_code == 404


class TestPreview:
    def test_draws_the_unsaved_chart_as_learners_get_it(
        self, workspace: Any, editor_client: Client
    ) -> None:
        response = editor_client.post(url("chart_preview", workspace), good_chart())
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-chart-figure="chart-preview-figure"' in html
        assert 'id="chart-preview-figure" type="application/json"' in html
        assert "Four of the five years had a flow above 1,100" in html  # the summary
        assert "Data for the chart: Flow in the wet years" in html  # the table
        assert "Source: Cobb (1978)" in html
        assert "<html" not in html
        assert not Chart.objects.filter(slug="wet-flow").exists()

    def test_draws_before_the_title_and_summary_are_written(
        self, workspace: Any, editor_client: Client
    ) -> None:
        data = good_chart(title="", slug="", summary="")
        response = editor_client.post(url("chart_preview", workspace), data)
        assert response.status_code == 200
        assert "data-chart-figure" in response.content.decode()

    def test_says_what_stops_the_chart_being_drawn(
        self, workspace: Any, editor_client: Client
    ) -> None:
        data = good_chart(filter_1_value="5000")
        response = editor_client.post(url("chart_preview", workspace), data)
        assert response.status_code == 400
        html = response.content.decode()
        assert "The filters leave no rows to draw" in html
        assert "data-chart-figure" not in html

    def test_an_existing_chart_keeps_its_annotations_in_the_preview(
        self, workspace: Any, editor_client: Client
    ) -> None:
        chart = draft_chart(workspace, "nile-line")
        chart.spec = {**chart.spec, "annotations": [{"x": 1873, "y": 963, "text": "Lowest"}]}
        chart.save()
        response = editor_client.post(
            url("chart_preview", workspace) + "?chart=nile-line",
            good_chart(slug="nile-line", chart_type="line"),
        )
        assert "Lowest" in response.content.decode()

    def test_refuses_a_dataset_of_another_course(
        self, workspace: Any, new_workspace: Any, editor_client: Client
    ) -> None:
        theirs = Dataset.objects.get(course=workspace.draft)
        theirs.pk = None
        theirs.course = new_workspace.draft
        theirs.slug = "someone-elses"
        theirs.save()
        response = editor_client.post(
            url("chart_preview", workspace), good_chart(dataset="someone-elses")
        )
        assert response.status_code == 400
        assert "data-chart-figure" not in response.content.decode()

    def test_only_post(self, workspace: Any, editor_client: Client) -> None:
        assert editor_client.get(url("chart_preview", workspace)).status_code == 405

    def test_reviewers_are_refused(self, workspace: Any, reviewer_client: Client) -> None:
        response = reviewer_client.post(url("chart_preview", workspace), good_chart())
        assert response.status_code == 403

    def test_people_without_a_role_get_404(self, workspace: Any, outsider_client: Client) -> None:
        response = outsider_client.post(url("chart_preview", workspace), good_chart())
        assert response.status_code == 404


class TestDelete:
    def test_refuses_while_lessons_embed_it(self, workspace: Any, editor_client: Client) -> None:
        delete = url("chart_delete", workspace, chart="nile-line")
        page = editor_client.get(delete)
        assert page.status_code == 200
        html = page.content.decode()
        assert "You cannot delete this chart" in html and "Welcome" in html
        assert "Delete the chart</button>" not in html
        response = editor_client.post(delete)
        assert response.status_code == 400
        assert "The chart is in use" in response.content.decode()
        assert draft_chart(workspace, "nile-line")

    def test_refuses_while_exercises_use_it(self, workspace: Any, editor_client: Client) -> None:
        # nile-bars is in a lesson too: take it out, so only the exercise uses it.
        for lesson in workspace.draft.modules.get(slug="first-steps").lessons.all():
            lesson.body = lesson.body.replace("{{ chart: nile-bars }}", "")
            lesson.save()
        response = editor_client.post(url("chart_delete", workspace, chart="nile-bars"))
        assert response.status_code == 400
        assert "What is wrong with the bars?" in response.content.decode()
        assert draft_chart(workspace, "nile-bars")
        assert Exercise.objects.get(course=workspace.draft, slug="flaws").chart is not None

    def test_deletes_a_chart_nothing_uses(
        self, workspace: Any, editor_client: Client, editor: Any
    ) -> None:
        editor_client.post(url("chart_create", workspace), good_chart())
        delete = url("chart_delete", workspace, chart="wet-flow")
        page = editor_client.get(delete)
        assert "Delete the chart</button>" in page.content.decode()
        response = editor_client.post(delete)
        assert response.status_code == 302
        assert not Chart.objects.filter(course=workspace.draft, slug="wet-flow").exists()
        event = AuditEvent.objects.get(action="authoring.delete")
        assert event.details["slug"] == "wet-flow" and event.actor_email == editor.email

    def test_reviewers_are_refused(self, workspace: Any, reviewer_client: Client) -> None:
        delete = url("chart_delete", workspace, chart="nile-line")
        assert reviewer_client.get(delete).status_code == 403
        assert reviewer_client.post(delete).status_code == 403

    def test_people_without_a_role_get_404(self, workspace: Any, outsider_client: Client) -> None:
        delete = url("chart_delete", workspace, chart="nile-line")
        assert outsider_client.get(delete).status_code == 404
        assert outsider_client.post(delete).status_code == 404


class TestUses:
    def test_finds_lessons_the_introduction_and_exercises(self, workspace: Any) -> None:
        draft = workspace.draft
        draft.introduction = "Start here.\n\n{{ chart: nile-line }}\n"
        draft.save()
        uses = charting.uses_of_charts(course=draft)
        assert uses["nile-line"].in_introduction
        assert [lesson.slug for lesson in uses["nile-line"].lessons] == ["welcome"]
        assert [e.slug for e in uses["nile-bars"].exercises] == ["flaws", "lowest-year"]
        assert [lesson.slug for lesson in uses["nile-bars"].lessons] == ["data"]

    def test_an_embed_inside_code_is_not_a_use(self, workspace: Any) -> None:
        lesson = workspace.draft.modules.get(slug="first-steps").lessons.get(slug="welcome")
        lesson.body = "```\n{{ chart: nile-line }}\n```\n"
        lesson.save()
        assert "nile-line" not in charting.uses_of_charts(course=workspace.draft)


def unchanged_post(client: Client, address: str) -> Any:
    """Post the edit form back exactly as it came."""
    form = client.get(address).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: ("" if value is None else value) for name, value in data.items()}
    data["dataset"] = form.initial["dataset"]
    return client.post(address, data)


def test_every_chart_of_the_real_course_survives_the_builder_unchanged(author: Any) -> None:
    """Opening and saving each of the course's charts (filters with several tests, values
    with commas, several y columns, annotations, stacked bars...) leaves its file as it was."""
    course = course_services.import_course(path=Path("content/data-masterclass"))
    workspace = services.workspace_for_course(course=course, actor=author)
    CourseRole.objects.create(workspace=workspace, user=author, role=Role.OWNER)
    client = Client()
    client.force_login(author)
    before = bundles.files_of(workspace.draft)
    slugs = list(Chart.objects.filter(course=workspace.draft).values_list("slug", flat=True))
    assert len(slugs) > 20
    for slug in slugs:
        response = unchanged_post(client, url("chart_edit", workspace, chart=slug))
        assert response.status_code == 302, (slug, response.context["form"].errors)
    after = bundles.files_of(workspace.draft)
    assert {p: t for p, t in after.items() if p.startswith("charts/")} == {
        p: t for p, t in before.items() if p.startswith("charts/")
    }


class TestFilterValues:
    def test_values_with_commas_are_quoted_and_read_back(self) -> None:
        text = charting.join_values(["Hong Kong, China", 'Say "hi"', 2007])
        assert text == '"Hong Kong, China", "Say ""hi""", 2007'
        assert charting.split_values(text) == ["Hong Kong, China", 'Say "hi"', "2007"]
        assert charting.split_values("Japan ,France,  Chad") == ["Japan", "France", "Chad"]

    def test_an_in_filter_saves_a_list_typed_by_its_column(
        self, workspace: Any, editor_client: Client
    ) -> None:
        data = good_chart(filter_1_column="year", filter_1_test="in", filter_1_value="1872, 1874")
        response = editor_client.post(url("chart_create", workspace), data)
        assert response.status_code == 302
        spec = draft_chart(workspace, "wet-flow").spec
        assert spec["filters"] == [{"column": "year", "in": [1872, 1874]}]


class TestValuesThatAreNotShortNames:
    """A null byte from the query string or the form makes PostgreSQL refuse the query (a
    DataError, so a 500): such values must name nothing, and never reach a query."""

    BAD = ["nile-sample\x00", "\x00", "Nile Sample", "x" * 5000]

    @staticmethod
    def queried(value: str, send: Any) -> tuple[Any, bool]:
        with CaptureQueriesContext(connection) as queries:
            response = send()
        return response, any(value in str(q["sql"]) for q in queries.captured_queries)

    @pytest.mark.parametrize("bad", ["nile-line\x00", "\x00", "../nile-line"])
    def test_preview_takes_a_bad_chart_name_as_no_chart(
        self, workspace: Any, editor_client: Client, bad: str
    ) -> None:
        address = url("chart_preview", workspace) + "?" + urlencode({"chart": bad})
        response, queried = self.queried(bad, lambda: editor_client.post(address, good_chart()))
        assert response.status_code == 200
        assert "data-chart-figure" in response.content.decode()
        assert not queried

    @pytest.mark.parametrize("bad", BAD)
    def test_a_bad_dataset_in_the_address_chooses_nothing(
        self, workspace: Any, editor_client: Client, bad: str
    ) -> None:
        address = url("chart_create", workspace)
        response, queried = self.queried(bad, lambda: editor_client.get(address, {"dataset": bad}))
        assert response.status_code == 200
        assert '<option value="nile-sample" selected>' in response.content.decode()  # the only one
        assert not queried

    @pytest.mark.parametrize("bad", BAD)
    def test_a_bad_dataset_in_the_form_is_refused(
        self, workspace: Any, editor_client: Client, bad: str
    ) -> None:
        charts = Chart.objects.count()
        for name, status in (("chart_create", 400), ("chart_preview", 400)):
            address = url(name, workspace)
            response, queried = self.queried(
                bad, lambda a=address: editor_client.post(a, good_chart(dataset=bad))
            )
            assert response.status_code == status, name
            assert "Choose one of this course&#x27;s datasets" in response.content.decode(), name
            assert not queried, name
        edit = url("chart_edit", workspace, chart="nile-line")
        response, queried = self.queried(
            bad, lambda: editor_client.post(edit, good_chart(slug="nile-line", dataset=bad))
        )
        assert response.status_code == 400
        assert not queried
        assert Chart.objects.count() == charts
        assert draft_chart(workspace, "nile-line").title != "Flow in the wet years"

    @pytest.mark.parametrize("bad", BAD)
    def test_the_columns_step_with_a_bad_dataset_shows_no_columns(
        self, workspace: Any, editor_client: Client, bad: str
    ) -> None:
        address = url("chart_create", workspace)
        data = good_chart(dataset=bad, action="columns")
        response, queried = self.queried(bad, lambda: editor_client.post(address, data))
        assert response.status_code == 200
        assert not queried
