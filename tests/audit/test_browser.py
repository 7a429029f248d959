"""The audit log in Chromium: an admin signs in (which is itself recorded), filters, meets the
error summary for a bad date, and downloads the CSV. Axe-clean, within the CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit.models import AuditEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_reads_filters_and_downloads_the_audit_log(
    page: Any, axe: Any, site_admin: Any, learner: Any, sign_in: Any
) -> None:
    sign_in(site_admin)
    page.get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/audit/")
    assert page.title() == "Audit log – Data Masterclass"
    assert "Signed in: with a password and authenticator app" in page.inner_text("table")
    axe(page)

    page.get_by_label("What happened").select_option(label="Signing in and out")
    page.get_by_role("group", name="From").get_by_label("Day").fill("31")
    page.get_by_role("group", name="From").get_by_label("Month").fill("2")
    page.get_by_role("group", name="From").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: Audit log")
    summary = page.locator(".govuk-error-summary")
    assert "From date must be a real date" in summary.inner_text()
    axe(page)

    page.get_by_role("group", name="From").get_by_label("Day").fill("1")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "Showing 1 to 1 of 1 matching event." in page.inner_text("main")
    axe(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these events (CSV)").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "Signed in: with a password and authenticator app" in text
    assert AuditEvent.objects.filter(action="audit.exported", actor=site_admin).exists()
