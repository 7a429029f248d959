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
