"""A learner's progress in Chromium: continue where they stopped, their progress pages with
the calibration chart, their certificate (printable) and their settings, all axe-clean."""

import re
from pathlib import Path

import pytest

from courses import services
from tests.progress.helpers import complete, read, right, wrong

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINI_COURSE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "mini-course"


def test_progress_pages_certificate_and_settings(page, axe, learner, sign_in) -> None:
    course = services.import_course(path=MINI_COURSE)
    read(learner, course, "welcome")
    for _ in range(2):
        wrong(learner, course, "flow-1871", confidence=90)
    right(learner, course, "flow-1871", confidence=90)
    wrong(learner, course, "lowest-year", confidence=70)
    right(learner, course, "lowest-year", confidence=70)
    right(learner, course, "order-years", confidence=50)
    sign_in(learner)

    page.goto("/")
    axe(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/courses/mini-course/first-steps/data/")

    complete(learner, course)
    page.goto("/progress/")
    assert "Mini course" in page.locator("main").inner_text()
    axe(page)

    page.goto("/progress/mini-course/")
    page.wait_for_selector(".app-chart__plot--drawn")
    assert page.locator("#calibration-plot svg.main-svg").count() >= 1
    assert "over-confident" in page.locator("#calibration-summary").inner_text()
    axe(page)

    page.get_by_role("button", name="Get your certificate").click()
    page.wait_for_url("**/certificates/*/")
    certificate = page.locator(".app-certificate").inner_text()
    assert "Alex Learner" in certificate and "Mini course" in certificate
    print_button = page.get_by_role("button", name="Print or save as PDF")
    assert print_button.is_visible()
    axe(page)
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not print_button.is_visible()
    assert page.locator(".app-certificate").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one page…
    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[0 0 (\S+) (\S+)\]", pdf).groups())
    assert (round(width), round(height)) == (842, 595)  # …A4, landscape
    page.emulate_media(media="screen")

    page.goto("/progress/settings/")
    axe(page)
    page.get_by_label("Keep my practice answers private from facilitators").check()
    page.get_by_role("button", name="Save your choices").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    axe(page)
    learner.refresh_from_db()
    assert learner.answers_private
