"""'Your data' and deleting an account in Chromium: axe-clean, within the CSP, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from accounts import data_rights
from courses import services
from tests.accounts.factories import PASSWORD
from tests.progress.helpers import read, right

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINI_COURSE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "mini-course"


def test_your_data_download_and_delete(page: Any, axe: Any, learner: Any, sign_in: Any) -> None:
    course = services.import_course(path=MINI_COURSE)
    read(learner, course, "welcome")
    right(learner, course, "flow-1871")
    sign_in(learner)

    page.goto("/progress/settings/")
    page.get_by_role("link", name="See and download the data we hold about you").click()
    page.wait_for_url("**/accounts/your-data/")
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download every answer you have given (CSV)").click()
    assert download.value.suggested_filename.startswith("data-masterclass-answers-")
    assert "Flow in 1871" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    page.get_by_role("link", name="Delete your account").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/delete/")
    axe(page)

    page.get_by_role("button", name="Delete your account").click()
    assert page.title().startswith("Error: Delete your account")
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page)

    page.get_by_label("I understand that my account will be deleted").check()
    page.get_by_role("button", name="Delete your account").click()
    page.wait_for_url("**/accounts/deleted/")
    assert "Your account has been deleted" in page.locator("h1").inner_text()
    axe(page)
    learner.refresh_from_db()
    assert data_rights.is_anonymised(learner)
