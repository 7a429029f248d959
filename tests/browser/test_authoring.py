"""Authoring in Chromium: an author makes a small course from nothing (module, lesson, dataset
upload, chart, exercises, publish) and a learner sees it; pages axe-clean, within the CSP."""

from __future__ import annotations

from typing import Any

import pytest

from authoring.models import Workspace
from courses.models import Course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_author_builds_the_outline_of_a_new_course(
    page: Any, axe: Any, author: Any, sign_in: Any
) -> None:
    sign_in(author)
    page.goto("/author/")
    axe(page)
    page.get_by_role("link", name="Create a course").click()
    page.get_by_label("Title").fill("Data for boards")
    page.get_by_label("Short name").fill("Data For Boards")
    page.get_by_label("Summary").fill("Numbers that boards meet.")
    page.get_by_role("button", name="Create the course").click()
    assert page.title().startswith("Error: Create a course")
    axe(page)
    page.get_by_label("Short name").fill("data-for-boards")
    page.get_by_role("button", name="Create the course").click()
    page.wait_for_url("**/author/data-for-boards/")
    axe(page)

    page.get_by_role("link", name="Add a module").click()
    page.get_by_label("Title").fill("Reading numbers")
    page.get_by_label("Short name").fill("reading-numbers")
    page.get_by_role("button", name="Add the module").click()
    page.wait_for_url("**/author/data-for-boards/")

    page.get_by_role("link", name="Add a lesson to Reading numbers").click()
    page.get_by_label("Title").fill("Averages")
    page.get_by_label("Short name").fill("averages")
    page.get_by_label("Lesson text").fill("## Means\n\n{{ chart: Not Valid }}\n")
    page.get_by_role("button", name="Add the lesson").click()
    assert "Line 3:" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    page.get_by_label("Lesson text").fill("## Means and medians\n\nThe middle value.\n")
    page.get_by_role("button", name="Add the lesson").click()
    page.wait_for_url("**/modules/reading-numbers/averages/")
    axe(page)

    for section in ("Course details", "Glossary", "People", "Comments", "Activity"):
        page.get_by_role("link", name=section, exact=True).click()
        page.wait_for_load_state()
        axe(page)
    workspace = Workspace.objects.get(slug="data-for-boards")
    assert workspace.draft.modules.get().lessons.get().title == "Averages"
    assert not Course.objects.filter(slug="data-for-boards").exists()


CSV = (
    "Region,Year,Spending (£m)\n"
    "North,2022,120\nSouth,2022,95.5\nEast,2022,88\nWest,2022,101\n"
    "North,2023,130\nSouth,2023,99\nEast,2023,91\nWest,2023,97\n"
)


def test_an_author_makes_a_course_from_nothing_and_a_learner_reads_it(
    page: Any, axe: Any, author: Any, learner: Any, sign_in: Any, tmp_path: Any
) -> None:
    from zipfile import ZipFile

    from authoring import bundles
    from exercises.models import Exercise, Kind

    sign_in(author)
    page.goto("/author/new/")
    page.get_by_label("Title").fill("Spending for boards")
    page.get_by_label("Short name").fill("spending-for-boards")
    page.get_by_label("Summary").fill("Reading a spending table.")
    page.get_by_role("button", name="Create the course").click()
    page.wait_for_url("**/author/spending-for-boards/")
    workspace = Workspace.objects.get(slug="spending-for-boards")

    # Course details: listed for learners once published.
    page.get_by_role("link", name="Course details", exact=True).click()
    page.get_by_label("List the course for learners once it is published").check()
    page.get_by_role("button", name="Save the details").click()
    page.wait_for_url("**/author/spending-for-boards/")

    # A dataset, uploaded and described.
    page.get_by_role("link", name="Datasets", exact=True).click()
    axe(page)
    page.get_by_role("link", name="Upload a dataset").click()
    broken = tmp_path / "broken.csv"
    broken.write_text("Region;Year;Spending\nNorth;2022;120\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(broken))
    page.get_by_role("button", name="Upload and check the file").click()
    assert "semicolon" in page.locator(".govuk-error-summary").inner_text().lower()
    axe(page)
    good = tmp_path / "regional-spending.csv"
    good.write_text(CSV, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_label("Title").fill("Regional spending")
    page.get_by_label("Short name").fill("regional-spending")
    page.get_by_label("Description").fill("Spending by region, made up for practice.")
    page.get_by_label("Source", exact=True).fill("Masterclass")
    page.get_by_label("Source web address").fill("https://example.gov.uk/spending")
    page.get_by_label("Licence").fill("Open Government Licence v3.0")
    page.get_by_label("Date of the data").fill("2022 to 2023")
    page.get_by_role("button", name="Upload and check the file").click()
    page.wait_for_load_state()
    axe(page)
    page.get_by_role("button", name="Save the dataset").click()
    page.wait_for_load_state()
    dataset = workspace.draft.datasets.get()
    assert dataset.row_count == 8

    # A chart built in the form, previewed, then saved.
    page.get_by_role("link", name="Charts", exact=True).click()
    page.get_by_role("link", name="Make a chart").click()
    page.wait_for_load_state()
    page.get_by_label("Vertical bars").check()
    page.get_by_label("Across the chart (x axis)").select_option("region")
    page.get_by_role("checkbox", name="Spending (£m)").check()
    page.get_by_label("Title", exact=True).fill("Spending by region")
    page.get_by_label("Short name").fill("spending-by-region")
    page.get_by_label("Summary").fill("The North spends most in both years.")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    page.locator(".app-chart-preview .js-plotly-plot").first.wait_for()
    axe(page)
    page.get_by_role("button", name="Save the chart").click()
    page.wait_for_load_state()
    assert workspace.draft.charts.get().slug == "spending-by-region"

    # One exercise of every kind, each from its kind's working example.
    page.get_by_role("link", name="Exercises", exact=True).click()
    for kind in Kind:
        page.get_by_role("link", name="Add an exercise").click()
        page.locator(f"input[name=kind][value={kind.value}]").check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        if kind == Kind.SINGLE_CHOICE:
            axe(page)
        page.get_by_role("button", name="Save the exercise").click()
        page.wait_for_load_state()
        assert "There is a problem" not in page.content(), kind
        page.get_by_role("link", name="Exercises", exact=True).click()
    axe(page)
    exercises = list(Exercise.objects.filter(course=workspace.draft).order_by("slug"))
    assert {e.kind for e in exercises} == set(Kind.values)

    # A module and a lesson that embeds them all, with the live preview.
    page.get_by_role("link", name="Overview", exact=True).click()
    page.get_by_role("link", name="Add a module").click()
    page.get_by_label("Title").fill("Spending")
    page.get_by_label("Short name").fill("spending")
    page.get_by_role("button", name="Add the module").click()
    page.get_by_role("link", name="Add a lesson to Spending").click()
    page.get_by_label("Title").fill("Where the money goes")
    page.get_by_label("Short name").fill("where-the-money-goes")
    body = page.get_by_label("Lesson text")
    body.fill("## Regions\n\nCompare the regions.\n")
    body.press("End")
    page.get_by_text("Insert a chart, dataset, glossary term or exercise", exact=True).click()
    page.get_by_role("button", name="Insert Spending by region").click()
    assert "{{ chart: spending-by-region }}" in body.input_value()
    page.locator("[data-preview-content] .js-plotly-plot").first.wait_for()
    axe(page)
    embeds = "\n\n".join(f"{{{{ exercise: {e.slug} }}}}" for e in exercises)
    body.fill(
        "## Regions\n\n{{ chart: spending-by-region }}\n\n{{ dataset: regional-spending }}\n\n"
        + embeds
        + "\n"
    )
    page.get_by_role("button", name="Add the lesson").click()
    page.wait_for_url("**/modules/spending/where-the-money-goes/")

    # Check and publish.
    page.get_by_role("link", name="Check and publish", exact=True).click()
    axe(page)
    page.get_by_role("button", name="Publish version 1").click()
    page.wait_for_url("**/history/")
    axe(page)
    workspace.refresh_from_db()
    assert workspace.live is not None and workspace.live.slug == "spending-for-boards"

    # The same course downloads as a zip, and goes back in as the draft.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the draft (zip)").click()
    archive = tmp_path / "course.zip"
    download.value.save_as(archive)
    with ZipFile(archive) as opened:
        files = {
            name.split("/", 1)[1]: opened.read(name).decode()
            for name in opened.namelist()
            if not name.endswith("/")
        }
    assert files == bundles.files_of(workspace.draft)
    page.goto("/author/spending-for-boards/import/")
    axe(page)
    page.locator("input[type=file]").set_input_files(str(archive))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "There is a problem" not in page.content()
    assert bundles.files_of(Workspace.objects.get(pk=workspace.pk).draft) == files

    # A learner finds the course and reads the lesson, chart and all.
    page.get_by_role("button", name="Sign out").click()
    sign_in(learner)
    page.goto("/courses/")
    page.get_by_role("link", name="Spending for boards").click()
    page.get_by_role("link", name="Where the money goes").click()
    page.locator(".js-plotly-plot").first.wait_for()
    assert "The North spends most in both years." in page.content()
    axe(page)


def test_every_authoring_page_of_a_course_is_axe_clean(
    page: Any, axe: Any, author: Any, sign_in: Any
) -> None:
    """Each authoring address that answers a GET, opened in Chromium as the course's owner."""
    from authoring import services as authoring_services
    from authoring.models import CourseRole, Role
    from courses import services as course_services
    from tests.authoring.test_url_permissions import urls
    from tests.courses.conftest import MINI_COURSE

    course = course_services.import_course(path=MINI_COURSE)
    workspace = authoring_services.workspace_for_course(course=course)
    CourseRole.objects.create(workspace=workspace, user=author, role=Role.OWNER)
    lesson = workspace.draft.modules.first().lessons.first()
    lesson.body += "\n\nA new closing line.\n"
    lesson.save()
    authoring_services.publish(workspace=workspace, actor=author)  # a version 2 to compare
    sign_in(author)
    seen = 0
    for name, url in urls(workspace, author):
        if name.startswith("export"):  # downloads, not pages
            continue
        if page.request.get(url).status != 200:  # POST-only addresses answer 405
            continue
        page.goto(url)
        axe(page)
        seen += 1
    assert seen >= 30
