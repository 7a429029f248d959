"""Datasets in the authoring workspace: upload with complete checks, columns, replace, delete."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from audit.models import AuditEvent
from authoring import bundles
from authoring import datasets as data
from authoring.checks import publish_problems
from courses.content.datasets import column_list
from courses.models import Course, Dataset

pytestmark = pytest.mark.django_db

LIFE = (
    "Country,Year,Life expectancy (years),Population\n"
    "France,2019,82.7,67000000\n"
    "Germany,2019,81.3,83000000\n"
    "Italy,2019,83.5,\n"
)
METADATA = {
    "title": "Life expectancy in Europe",
    "slug": "life-expectancy",
    "description": "Life expectancy at birth in three countries.",
    "source_organisation": "World Bank",
    "source_url": "https://data.worldbank.org/indicator/SP.DYN.LE00.IN",
    "licence": "CC BY 4.0",
    "data_date": "2019",
}


def url(name: str, **kwargs: str) -> str:
    return reverse(f"authoring:{name}", kwargs={"course": "mini-course", **kwargs})


def csv_file(content: str | bytes, name: str = "data.csv") -> SimpleUploadedFile:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return SimpleUploadedFile(name, raw, content_type="text/csv")


def upload(client: Client, content: str | bytes = LIFE, **fields: Any) -> Any:
    return client.post(url("dataset_upload"), {**METADATA, "file": csv_file(content), **fields})


def text(response: Any) -> str:
    """The page's text, with tags and repeated spaces taken out."""
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", page.replace("&quot;", '"').replace("&#x27;", "'"))


def assert_refused(response: Any, *phrases: str) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body
    for phrase in phrases:
        assert phrase in text(response), phrase
    assert not Dataset.objects.filter(slug=METADATA["slug"]).exists()


def nile(workspace: Any) -> Dataset:
    return Dataset.objects.get(course=workspace.draft, slug="nile-sample")


# --- Checking the file ----------------------------------------------------------------------


class TestCheckCsv:
    def test_headings_become_column_names_and_stay_as_descriptions(self) -> None:
        checked = data.check_csv(LIFE)
        assert [c.name for c in checked.columns] == [
            "country", "year", "life_expectancy_years", "population",
        ]  # fmt: skip
        assert [c.type for c in checked.columns] == ["text", "integer", "number", "integer"]
        assert checked.columns[2].description == "Life expectancy (years)"
        assert checked.columns[0].description == "Country"
        assert [c.optional for c in checked.columns] == [False, False, False, True]
        assert checked.csv_text.splitlines()[0] == "country,year,life_expectancy_years,population"
        assert checked.row_count == 3

    @pytest.mark.parametrize(
        ("label", "name"),
        [
            ("Life expectancy (years)", "life_expectancy_years"),
            ("2019 value", "column_2019_value"),
            ("Café £", "cafe"),
            ("%", "column_1"),
            ("already_fine", "already_fine"),
        ],
    )
    def test_column_names(self, label: str, name: str) -> None:
        assert data.column_name(label, 1) == name

    def test_a_plain_name_is_not_taken_as_a_description(self) -> None:
        checked = data.check_csv("year,volume\n1871,1120\n")
        assert [c.description for c in checked.columns] == ["", ""]

    def test_dates_and_blank_lines(self) -> None:
        checked = data.check_csv("day,count\r\n2024-01-01,3\r\n\r\n2024-01-02,4\r\n")
        assert [c.type for c in checked.columns] == ["date", "integer"]
        assert checked.row_count == 2

    def test_the_result_passes_the_course_folder_checks(self) -> None:
        checked = data.check_csv('name,"Note, with comma"\nA,"multi\nline"\nB,x\n')
        assert data.verify(checked.csv_text, checked.columns)

    def test_row_limit_stops_reading(self) -> None:
        with pytest.raises(data.CsvRejected, match="more than 100,000 rows"):
            data.check_csv("n\n" + "1\n" * 1_000_000)


class TestUploadSizeLimit:
    def test_drops_a_file_over_the_limit_but_keeps_the_other_fields(self) -> None:
        request = RequestFactory().post(
            "/",
            {"file": csv_file("n\n" + "1\n" * 600), "title": "Kept", "small": csv_file("a\n1\n")},
        )
        limit = data.UploadSizeLimit(request, limit=1000)
        request.upload_handlers.insert(0, limit)
        assert request.POST["title"] == "Kept"
        assert "file" not in request.FILES
        assert limit.too_big("file")
        small = request.FILES["small"]
        assert isinstance(small, UploadedFile)
        assert small.read() == b"a\n1\n"
        assert not limit.too_big("small")


# --- Upload ---------------------------------------------------------------------------------


class TestUpload:
    def test_form_for_an_editor(self, editor_client: Client, workspace: Any) -> None:
        response = editor_client.get(url("dataset_upload"))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'enctype="multipart/form-data"' in body
        assert 'type="file"' in body

    def test_good_upload_saves_the_dataset_and_goes_to_its_columns(
        self, editor_client: Client, workspace: Any
    ) -> None:
        before = Course.all_objects.get(pk=workspace.draft.pk).content_version
        response = upload(editor_client)
        assert response.status_code == 302
        assert response["Location"] == url("dataset_edit", dataset="life-expectancy")
        dataset = Dataset.objects.get(course=workspace.draft, slug="life-expectancy")
        assert dataset.row_count == 3
        assert dataset.title == METADATA["title"]
        assert dataset.columns[2] == {
            "name": "life_expectancy_years",
            "type": "number",
            "description": "Life expectancy (years)",
        }
        assert Course.all_objects.get(pk=workspace.draft.pk).content_version > before
        event = AuditEvent.objects.get(action="authoring.dataset-upload")
        assert event.details["dataset"] == "life-expectancy"
        assert event.actor_email == "editor@example.gov.uk"

    def test_utf8_with_a_byte_order_mark(self, editor_client: Client, workspace: Any) -> None:
        response = upload(editor_client, "\ufeff" + LIFE)
        assert response.status_code == 302
        dataset = Dataset.objects.get(slug="life-expectancy")
        assert dataset.columns[0]["name"] == "country"
        assert not dataset.csv_text.startswith("\ufeff")

    def test_wrong_encoding(self, editor_client: Client, workspace: Any) -> None:
        content = "Place,Count\nParis,1\nCafé de Flore,2\n".encode("cp1252")
        assert_refused(upload(editor_client, content), "not saved as UTF-8", "row 3", "CSV UTF-8")

    def test_utf16(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(upload(editor_client, LIFE.encode("utf-16")), "UTF-16", "CSV UTF-8")

    def test_semicolons(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(
            upload(editor_client, "Country;Year\nFrance;2019\n"),
            "separated by semicolons, not commas",
        )

    def test_semicolons_with_a_comma_in_a_heading(
        self, editor_client: Client, workspace: Any
    ) -> None:
        assert_refused(
            upload(editor_client, "Country;Year;Value, in £\nFrance;2019;1\n"),
            "separated by semicolons, not commas",
        )

    def test_tabs(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(upload(editor_client, "Country\tYear\nFrance\t2019\n"), "separated by tabs")

    def test_no_header_row(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(
            upload(editor_client, "2019,82.7\n2020,82.1\n"),
            "The first row must be the column headings, but it looks like data (2019, 82.7)",
        )

    def test_blank_heading(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(
            upload(editor_client, "Country,,Year\nFrance,1,2019\n"),
            "Column 2 has no heading",
        )

    def test_duplicate_headings(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(
            upload(editor_client, "Year,Value,year\n2019,1,2019\n"),
            "Columns 1 and 3 both have the heading “year”",
        )

    def test_headings_that_make_the_same_name(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(
            upload(editor_client, "Rate (%),Rate\n1,2\n"),
            "Columns 1 (“Rate (%)”) and 2 (“Rate”) would both be called rate",
        )

    def test_ragged_row(self, editor_client: Client, workspace: Any) -> None:
        content = "Country,Year,Value\nFrance,2019,1\nGermany,2019\nItaly,2019,3,4\n"
        assert_refused(
            upload(editor_client, content),
            "Row 3 has 2 cells, but the heading row has 3 columns",
            "Row 4 has 4 cells",
        )

    def test_mixed_types_name_the_row_and_column(
        self, editor_client: Client, workspace: Any
    ) -> None:
        rows = [f"Area {n},{70 + n / 10}" for n in range(1, 13)]
        rows.insert(12, "Area 13,n/a")  # row 14 of the file, after the heading
        content = "Area,Life expectancy (years)\n" + "\n".join(rows) + "\n"
        response = upload(editor_client, content)
        assert_refused(
            response,
            "Column “Life expectancy (years)” holds numbers, but row 14 has “n/a”",
            "Leave the cell empty",
            "as text",
        )
        # The error summary links to the file field.
        assert 'href="#id_file"' in response.content.decode()

    def test_mixed_types_read_as_text_when_asked(
        self, editor_client: Client, workspace: Any
    ) -> None:
        content = "Code,Value\nA,1\nB,2\nC,n/a\n"
        assert upload(editor_client, content, mixed_as_text="on").status_code == 302
        dataset = Dataset.objects.get(slug="life-expectancy")
        assert [c["type"] for c in dataset.columns] == ["text", "text"]

    def test_thousands_separators_get_a_hint(self, editor_client: Client, workspace: Any) -> None:
        content = 'Area,People\nA,100\nB,200\nC,"1,234"\n'
        assert_refused(upload(editor_client, content), "row 4 has “1,234”", "thousands separators")

    def test_file_over_the_size_limit(self, editor_client: Client, workspace: Any) -> None:
        content = "n\n" + "1234567\n" * (data.MAX_UPLOAD_BYTES // 8 + 10)
        assert data.MAX_UPLOAD_BYTES < len(content) < data.MAX_REQUEST_BYTES
        response = upload(editor_client, content)
        assert_refused(response, "The file is larger than 5 MB")
        # The other answers are kept, so the author only chooses another file.
        assert 'value="Life expectancy in Europe"' in response.content.decode()

    def test_request_far_over_the_size_limit_is_refused_unread(
        self, editor_client: Client, workspace: Any
    ) -> None:
        content = "n\n" + "1234567\n" * (data.MAX_REQUEST_BYTES // 8 + 10)
        response = upload(editor_client, content)
        assert response.status_code == 413
        assert "The file is larger than 5 MB" in text(response)
        assert "govuk-error-summary" in response.content.decode()
        assert not Dataset.objects.filter(slug="life-expectancy").exists()

    def test_too_many_rows(self, editor_client: Client, workspace: Any) -> None:
        content = "n\n" + "1\n" * (data.MAX_ROWS + 1)
        assert_refused(upload(editor_client, content), "more than 100,000 rows")

    def test_a_million_rows(self, editor_client: Client, workspace: Any) -> None:
        content = "n\n" + "1\n" * 1_000_000
        assert len(content) < data.MAX_UPLOAD_BYTES
        assert_refused(upload(editor_client, content), "more than 100,000 rows")

    def test_binary_file(self, editor_client: Client, workspace: Any) -> None:
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
        assert_refused(upload(editor_client, png), "not a CSV file", "binary data")

    def test_excel_workbook(self, editor_client: Client, workspace: Any) -> None:
        xlsx = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100
        assert_refused(upload(editor_client, xlsx), "spreadsheet workbook", "CSV UTF-8")

    def test_empty_file(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(upload(editor_client, b"\n\n"), "The file is empty")

    def test_header_without_data(self, editor_client: Client, workspace: Any) -> None:
        assert_refused(upload(editor_client, "Country,Year\n"), "no data under it")

    def test_no_file(self, editor_client: Client, workspace: Any) -> None:
        response = editor_client.post(url("dataset_upload"), METADATA)
        assert_refused(response, "Choose a CSV file to upload")

    def test_missing_metadata(self, editor_client: Client, workspace: Any) -> None:
        response = editor_client.post(
            url("dataset_upload"), {"slug": "life-expectancy", "file": csv_file(LIFE)}
        )
        assert_refused(response)
        errors = response.context["form"].errors
        for field in ("title", "description", "source_organisation", "source_url", "licence",
                      "data_date"):  # fmt: skip
            assert field in errors, field
        assert 'href="#id_source_organisation"' in response.content.decode()
        assert response.content.decode().count("<title>Error: ") == 1

    def test_source_must_be_a_web_address(self, editor_client: Client, workspace: Any) -> None:
        response = upload(editor_client, source_url="ftp://example.org/data.csv")
        assert_refused(response, "starting with https://")

    def test_bad_short_name(self, editor_client: Client, workspace: Any) -> None:
        response = upload(editor_client, slug="Life Expectancy")
        assert response.status_code == 400
        assert "slug" in response.context["form"].errors
        assert not Dataset.objects.filter(title=METADATA["title"]).exists()

    def test_duplicate_short_name(self, editor_client: Client, workspace: Any) -> None:
        response = upload(editor_client, slug="nile-sample")
        assert response.status_code == 400
        assert "already has a dataset called nile-sample" in text(response)
        assert nile(workspace).title == "Nile flow sample"
        assert Dataset.objects.filter(course=workspace.draft).count() == 1

    def test_bad_csrf_token_is_still_refused(self, editor: Any, workspace: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        response = upload(client)
        assert response.status_code == 403
        assert not Dataset.objects.filter(slug="life-expectancy").exists()

    def test_csrf_token_from_the_form_is_accepted(self, editor: Any, workspace: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(editor)
        page = client.get(url("dataset_upload")).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token
        response = upload(client, csrfmiddlewaretoken=token[1])
        assert response.status_code == 302


# --- Describing the columns -----------------------------------------------------------------


def edit_form(client: Client, dataset: str = "life-expectancy") -> dict[str, Any]:
    """The edit form's fields as the browser would send them."""
    response = client.get(url("dataset_edit", dataset=dataset))
    assert response.status_code == 200
    form = response.context["form"]
    values: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if name.endswith("_optional"):
            if value:
                values[name] = "on"
            continue
        values[name] = "" if value is None else value
    return values


class TestDescribeColumns:
    def test_upload_then_describe_makes_a_usable_dataset(
        self, editor_client: Client, workspace: Any
    ) -> None:
        assert upload(editor_client, "year,volume\n1871,1120\n1872,1160\n").status_code == 302
        page = editor_client.get(url("dataset_edit", dataset="life-expectancy"))
        assert "Not ready" in text(page)
        assert "Describe the column 'year'" in text(page)
        assert '<td class="govuk-table__cell">1871</td>' in page.content.decode()

        values = edit_form(editor_client)
        values["column_0_description"] = "Year"
        values["column_1_description"] = "Annual flow"
        values["column_1_unit"] = "100 million cubic metres"
        response = editor_client.post(url("dataset_edit", dataset="life-expectancy"), values)
        assert response.status_code == 302

        dataset = Dataset.objects.get(slug="life-expectancy")
        assert dataset.columns == [
            {"name": "year", "type": "integer", "description": "Year"},
            {"name": "volume", "type": "integer", "description": "Annual flow",
             "unit": "100 million cubic metres"},
        ]  # fmt: skip
        assert data.readiness_problems(dataset) == []
        files = bundles.files_of(workspace.draft)
        assert files["datasets/life-expectancy.csv"].startswith("year,volume\n1871,1120")
        assert "source_organisation: World Bank" in files["datasets/life-expectancy.yaml"]
        problems = publish_problems(files=files, slug=workspace.slug)
        assert not [p for p in problems if "life-expectancy" in p.path]
        assert "Ready" in text(editor_client.get(url("datasets")))

    def test_changing_a_type_checks_every_row(self, editor_client: Client, workspace: Any) -> None:
        upload(editor_client)
        values = edit_form(editor_client)
        values["column_0_type"] = "integer"  # Country: text
        response = editor_client.post(url("dataset_edit", dataset="life-expectancy"), values)
        assert response.status_code == 400
        assert "Row 2, column country: 'France' is not a whole number" in text(response)
        assert 'href="#id_column_0_type"' in response.content.decode()
        assert Dataset.objects.get(slug="life-expectancy").columns[0]["type"] == "text"

    def test_a_column_with_empty_cells_must_allow_them(
        self, editor_client: Client, workspace: Any
    ) -> None:
        upload(editor_client)
        values = edit_form(editor_client)
        values.pop("column_3_optional")
        response = editor_client.post(url("dataset_edit", dataset="life-expectancy"), values)
        assert response.status_code == 400
        assert "Row 4, column population: the cell is empty" in text(response)
        assert Dataset.objects.get(slug="life-expectancy").columns[3]["optional"] is True

    def test_a_number_column_can_become_text(self, editor_client: Client, workspace: Any) -> None:
        upload(editor_client)
        values = edit_form(editor_client)
        values["column_2_type"] = "text"
        assert (
            editor_client.post(url("dataset_edit", dataset="life-expectancy"), values).status_code
            == 302
        )
        assert Dataset.objects.get(slug="life-expectancy").columns[2]["type"] == "text"

    def test_a_change_that_breaks_a_chart_is_refused(
        self, editor_client: Client, workspace: Any
    ) -> None:
        values = edit_form(editor_client, "nile-sample")
        values["column_1_type"] = "text"  # volume: the charts' y
        response = editor_client.post(url("dataset_edit", dataset="nile-sample"), values)
        assert response.status_code == 400
        page = text(response)
        assert "The chart “Nile flow, 1871 to 1875”: y: column 'volume' is not numeric" in page
        assert column_list(nile(workspace).columns)[1].type == "integer"

    def test_an_oversized_form_gets_a_page_not_an_error(
        self, editor_client: Client, workspace: Any
    ) -> None:
        values = edit_form(editor_client, "nile-sample")
        values["description"] = "x" * (3 * 1024 * 1024)  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        response = editor_client.post(url("dataset_edit", dataset="nile-sample"), values)
        assert response.status_code == 400
        assert nile(workspace).description == "Five years of the Nile's flow at Aswan."

    def test_metadata_is_required(self, editor_client: Client, workspace: Any) -> None:
        values = edit_form(editor_client, "nile-sample")
        values["licence"] = ""
        response = editor_client.post(url("dataset_edit", dataset="nile-sample"), values)
        assert response.status_code == 400
        assert 'href="#id_licence"' in response.content.decode()
        assert nile(workspace).licence == "Public domain"

    def test_save_records_and_bumps_the_content_version(
        self, editor_client: Client, workspace: Any
    ) -> None:
        before = Course.all_objects.get(pk=workspace.draft.pk).content_version
        values = edit_form(editor_client, "nile-sample")
        values["column_0_description"] = "Calendar year"
        response = editor_client.post(url("dataset_edit", dataset="nile-sample"), values)
        assert response.status_code == 302
        assert nile(workspace).columns[0]["description"] == "Calendar year"
        assert Course.all_objects.get(pk=workspace.draft.pk).content_version > before
        assert AuditEvent.objects.filter(
            action="authoring.edit", details__what=f"dataset:{nile(workspace).pk}"
        ).exists()

    def test_concurrent_edit_is_refused(
        self, editor_client: Client, author_client: Client, workspace: Any
    ) -> None:
        mine = edit_form(editor_client, "nile-sample")
        theirs = edit_form(author_client, "nile-sample")
        theirs["title"] = "The author's title"
        assert (
            author_client.post(url("dataset_edit", dataset="nile-sample"), theirs).status_code
            == 302
        )
        mine["title"] = "The editor's title"
        response = editor_client.post(url("dataset_edit", dataset="nile-sample"), mine)
        assert response.status_code == 400
        assert "author@example.gov.uk saved this dataset" in text(response)
        assert nile(workspace).title == "The author's title"
        # The editor's text is still in the form.
        assert "The editor&#x27;s title" in response.content.decode()


# --- Replacing the data ---------------------------------------------------------------------

NILE_MORE = (
    "year,volume,note\n1871,1120,\n1872,1160,wet\n1873,963,\n1874,1210,\n1875,1160,\n1876,1180,\n"
)


def replace(client: Client, content: str | bytes, **fields: Any) -> Any:
    return client.post(
        url("dataset_replace", dataset="nile-sample"), {"file": csv_file(content), **fields}
    )


class TestReplace:
    def test_form_for_an_editor(self, editor_client: Client, workspace: Any) -> None:
        response = editor_client.get(url("dataset_replace", dataset="nile-sample"))
        assert response.status_code == 200
        assert "Nile flow by year" in text(response)  # a chart that uses it

    def test_new_rows_keep_the_column_descriptions(
        self, editor_client: Client, workspace: Any
    ) -> None:
        before = nile(workspace).columns
        response = replace(editor_client, NILE_MORE)
        assert response.status_code == 302
        dataset = nile(workspace)
        assert dataset.row_count == 6
        assert dataset.columns == before
        assert dataset.csv_text.endswith("1876,1180,\n")
        problems = publish_problems(files=bundles.files_of(workspace.draft), slug=workspace.slug)
        assert problems == []

    def test_data_that_breaks_charts_and_exercises_is_refused(
        self, editor_client: Client, workspace: Any
    ) -> None:
        before = nile(workspace).csv_text
        response = replace(editor_client, "year,flow\n1871,1120\n1872,1160\n")
        assert response.status_code == 400
        page = text(response)
        assert "The new data has not been saved" in page
        assert "The chart “Nile flow by year”: y: the dataset has no column 'volume'" in page
        assert "The exercise “Years above 1,150”" in page
        assert nile(workspace).csv_text == before

    def test_filters_that_leave_nothing_are_refused(
        self, editor_client: Client, workspace: Any
    ) -> None:
        response = replace(editor_client, "year,volume,note\n1900,1,\n1901,2,\n")
        assert response.status_code == 400
        assert "The chart “Nile flow by year”: the filters leave no rows to draw" in text(response)
        assert nile(workspace).row_count == 5

    def test_a_text_column_may_mix_numbers_and_text(
        self, editor_client: Client, workspace: Any
    ) -> None:
        content = (
            "year,volume,note\n1871,1120,1\n1872,1160,2\n1873,963,n/a\n1874,1210,3\n1875,1160,4\n"
        )
        assert replace(editor_client, content).status_code == 302
        assert nile(workspace).columns[2]["type"] == "text"
        assert nile(workspace).csv_text.endswith("1875,1160,4\n")

    def test_an_exercise_that_loses_its_rows_is_listed(
        self, editor_client: Client, workspace: Any
    ) -> None:
        content = "year,volume,note\n1871,1120,\n1872,1160,\n1873,963,\n1874,1210,\n"
        response = replace(editor_client, content)
        assert response.status_code == 400
        assert "The exercise “Your year's flow”: variant 1875: no rows match" in text(response)
        assert nile(workspace).row_count == 5

    def test_a_number_column_may_not_mix_numbers_and_text(
        self, editor_client: Client, workspace: Any
    ) -> None:
        content = "year,volume,note\n1871,1120,\n1872,n/a,\n1873,963,\n1874,1210,\n"
        response = replace(editor_client, content)
        assert response.status_code == 400
        assert "Column “volume” holds numbers, but row 3 has “n/a”" in text(response)
        assert nile(workspace).row_count == 5

    def test_bad_file_is_refused(self, editor_client: Client, workspace: Any) -> None:
        response = replace(editor_client, "year;volume\n1871;1120\n")
        assert response.status_code == 400
        assert "separated by semicolons" in text(response)
        assert nile(workspace).row_count == 5

    def test_no_file(self, editor_client: Client, workspace: Any) -> None:
        response = editor_client.post(url("dataset_replace", dataset="nile-sample"), {})
        assert response.status_code == 400
        assert "Choose a CSV file to upload" in text(response)

    def test_too_big(self, editor_client: Client, workspace: Any) -> None:
        content = "year\n" + "1234567\n" * (data.MAX_UPLOAD_BYTES // 8 + 10)
        response = replace(editor_client, content)
        assert response.status_code == 400
        assert "The file is larger than 5 MB" in text(response)
        assert nile(workspace).row_count == 5

    def test_request_far_over_the_size_limit_is_refused_unread(
        self, editor_client: Client, workspace: Any
    ) -> None:
        content = "year\n" + "1234567\n" * (data.MAX_REQUEST_BYTES // 8 + 10)
        response = replace(editor_client, content)
        assert response.status_code == 413
        assert "The file is larger than 5 MB" in text(response)
        assert nile(workspace).row_count == 5

    def test_concurrent_change_is_refused(
        self, editor_client: Client, author_client: Client, workspace: Any
    ) -> None:
        page = editor_client.get(url("dataset_replace", dataset="nile-sample"))
        loaded = page.context["form"]["loaded"].value()
        values = edit_form(author_client, "nile-sample")
        values["title"] = "Changed meanwhile"
        assert (
            author_client.post(url("dataset_edit", dataset="nile-sample"), values).status_code
            == 302
        )
        response = replace(editor_client, NILE_MORE, loaded=loaded)
        assert response.status_code == 400
        assert "saved this dataset" in text(response)
        assert nile(workspace).row_count == 5


# --- Deleting -------------------------------------------------------------------------------


class TestDelete:
    def test_a_dataset_in_use_cannot_be_deleted(
        self, editor_client: Client, workspace: Any
    ) -> None:
        page = editor_client.get(url("dataset_delete", dataset="nile-sample"))
        assert page.status_code == 200
        shown = text(page)
        for used_by in ("Chart: Nile flow by year", "Exercise: Total flow", "Lesson: The data"):
            assert used_by in shown, used_by
        assert "Delete the dataset</button>" not in page.content.decode()
        response = editor_client.post(url("dataset_delete", dataset="nile-sample"))
        assert response.status_code == 400
        assert "cannot be deleted while it is used" in text(response)
        assert Dataset.objects.filter(pk=nile(workspace).pk).exists()

    def test_an_unused_dataset_is_deleted_and_recorded(
        self, editor_client: Client, workspace: Any
    ) -> None:
        upload(editor_client)
        page = editor_client.get(url("dataset_delete", dataset="life-expectancy"))
        assert "Delete the dataset</button>" in page.content.decode()
        before = Course.all_objects.get(pk=workspace.draft.pk).content_version
        response = editor_client.post(url("dataset_delete", dataset="life-expectancy"))
        assert response.status_code == 302
        assert not Dataset.objects.filter(slug="life-expectancy").exists()
        assert AuditEvent.objects.get(action="authoring.dataset-delete").details["dataset"] == (
            "life-expectancy"
        )
        assert Course.all_objects.get(pk=workspace.draft.pk).content_version > before

    def test_an_embed_in_a_lesson_alone_blocks_deleting(
        self, editor_client: Client, workspace: Any
    ) -> None:
        upload(editor_client)
        lesson = workspace.draft.modules.first().lessons.first()
        lesson.body += "\n\n{{ dataset: life-expectancy }}\n"
        lesson.save()
        response = editor_client.post(url("dataset_delete", dataset="life-expectancy"))
        assert response.status_code == 400
        assert f"Lesson: {lesson.title}" in text(response)
        assert Dataset.objects.filter(slug="life-expectancy").exists()

    def test_an_embed_in_the_course_introduction_blocks_deleting(
        self, editor_client: Client, workspace: Any
    ) -> None:
        upload(editor_client)
        Course.all_objects.filter(pk=workspace.draft.pk).update(
            introduction="Welcome.\n\n{{ dataset: life-expectancy }}\n"
        )
        response = editor_client.post(url("dataset_delete", dataset="life-expectancy"))
        assert response.status_code == 400
        assert "Course: The course introduction" in text(response)
        assert Dataset.objects.filter(slug="life-expectancy").exists()

    def test_a_chart_added_meanwhile_blocks_deleting(
        self, editor: Any, workspace: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        dataset = nile(workspace)
        calls = iter([{}, data.usages_in(workspace=workspace)])
        monkeypatch.setattr(data, "usages_in", lambda **kwargs: next(calls))
        with pytest.raises(data.DatasetInUse) as refused:
            data.delete_dataset(workspace=workspace, dataset=dataset, actor=editor)
        assert refused.value.usages
        assert Dataset.objects.filter(pk=dataset.pk).exists()

    def test_unknown_dataset(self, editor_client: Client, workspace: Any) -> None:
        assert editor_client.get(url("dataset_delete", dataset="nope")).status_code == 404


# --- The list and who may do what -----------------------------------------------------------


class TestList:
    def test_shows_size_readiness_and_what_uses_each_dataset(
        self, editor_client: Client, workspace: Any
    ) -> None:
        upload(editor_client, "year,volume\n1871,1120\n")
        response = editor_client.get(url("datasets"))
        assert response.status_code == 200
        page = text(response)
        assert "Nile flow sample" in page
        assert "5 rows, 3 columns" in page
        assert "Chart: Nile flow by year" in page
        assert "Exercise: Years above 1,150" in page
        assert "Lesson: The data" in page
        assert "Not ready" in page and "Describe the column 'year'" in page
        assert "Upload a dataset" in page
        assert url("dataset_delete", dataset="nile-sample") in response.content.decode()

    def test_reviewers_see_the_list_without_actions(
        self, reviewer_client: Client, workspace: Any
    ) -> None:
        response = reviewer_client.get(url("datasets"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "Nile flow sample" in body
        assert url("dataset_upload") not in body
        assert url("dataset_edit", dataset="nile-sample") not in body
        assert url("dataset_delete", dataset="nile-sample") not in body
        preview = reverse("courses:dataset", args=["mini-course_draft", "nile-sample"])
        assert preview in body
        assert reviewer_client.get(preview).status_code == 200

    def test_queries_do_not_grow_with_the_datasets(
        self,
        editor_client: Client,
        workspace: Any,
        django_assert_max_num_queries: Any,
    ) -> None:
        for number in range(4):
            upload(editor_client, slug=f"extra-{number}")
        assert Dataset.objects.filter(course=workspace.draft).count() == 5
        with django_assert_max_num_queries(8):
            assert editor_client.get(url("datasets")).status_code == 200

    def test_new_course_without_datasets(self, author_client: Client, new_workspace: Any) -> None:
        response = author_client.get(reverse("authoring:datasets", args=["new-course"]))
        assert response.status_code == 200
        assert "no datasets yet" in text(response)


EDITING = [
    ("get", "dataset_upload", {}),
    ("post", "dataset_upload", {}),
    ("get", "dataset_edit", {"dataset": "nile-sample"}),
    ("post", "dataset_edit", {"dataset": "nile-sample"}),
    ("get", "dataset_replace", {"dataset": "nile-sample"}),
    ("post", "dataset_replace", {"dataset": "nile-sample"}),
    ("get", "dataset_delete", {"dataset": "nile-sample"}),
    ("post", "dataset_delete", {"dataset": "nile-sample"}),
]


class TestAccess:
    @pytest.mark.parametrize(("method", "name", "kwargs"), [("get", "datasets", {}), *EDITING])
    def test_outsiders_get_404(
        self, outsider_client: Client, workspace: Any, method: str, name: str, kwargs: Any
    ) -> None:
        response = getattr(outsider_client, method)(url(name, **kwargs))
        assert response.status_code == 404

    @pytest.mark.parametrize(("method", "name", "kwargs"), EDITING)
    def test_reviewers_get_403_on_changes(
        self, reviewer_client: Client, workspace: Any, method: str, name: str, kwargs: Any
    ) -> None:
        payload = {**METADATA, "file": csv_file(LIFE)} if method == "post" else None
        response = getattr(reviewer_client, method)(url(name, **kwargs), payload)
        assert response.status_code == 403
        assert Dataset.objects.filter(course=workspace.draft).count() == 1
        assert nile(workspace).row_count == 5

    def test_signed_out_people_are_sent_to_sign_in(self, client: Client, workspace: Any) -> None:
        response = client.get(url("datasets"))
        assert response.status_code == 302

    def test_outsiders_cannot_upload(self, outsider_client: Client, workspace: Any) -> None:
        assert upload(outsider_client).status_code == 404
        assert not Dataset.objects.filter(slug="life-expectancy").exists()
