"""A learner's progress in Chromium: continue where they stopped, their progress pages with
the calibration chart, their certificate (printable) and their settings, all axe-clean."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from courses import services
from progress import services as progress_services
from tests.accounts.factories import UserFactory, totp_code
from tests.cohorts.factories import CohortFactory
from tests.progress.helpers import complete, read, right, wrong

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINI_COURSE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "mini-course"


def test_progress_pages_certificate_and_settings(page, axe, learner, sign_in) -> None:
    course = services.import_course(path=MINI_COURSE)
    read(learner, course, "welcome")
    wrong(learner, course, "flow-1871", confidence=90)
    wrong(learner, course, "lowest-year", confidence=90)
    right(learner, course, "flaws", confidence=90)
    right(learner, course, "order-years", confidence=70)
    right(learner, course, "total-flow", confidence=50)
    sign_in(learner)

    page.goto("/")
    axe(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/courses/mini-course/first-steps/data/")

    complete(learner, course)
    page.goto(reverse("progress:overview"))
    assert "Mini course" in page.locator("main").inner_text()
    axe(page)

    page.goto(reverse("progress:course", kwargs={"course": "mini-course"}))
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

    page.goto(reverse("progress:settings"))
    axe(page)
    page.get_by_label("Keep my practice answers private from facilitators").check()
    page.get_by_role("button", name="Save your choices").click()
    page.wait_for_selector(".govuk-notification-banner--success")
    axe(page)
    learner.refresh_from_db()
    assert learner.answers_private


def test_print_buttons_stay_hidden_without_javascript(
    browser, live_server, learner, site_admin, password
) -> None:
    course = services.import_course(path=MINI_COURSE)
    complete(learner, course)
    certificate = progress_services.issue_certificate(learner=learner, course=course)
    cohort = CohortFactory(course=course)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(certificate.get_absolute_url())
        assert page.locator(".app-certificate").is_visible()
        button = page.locator("button", has_text="Print or save as PDF")
        assert button.count() == 1 and not button.is_visible()

        page.goto("/accounts/login/")  # signing in needs no script
        page.get_by_label("Email address").fill(site_admin.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        page.get_by_label("Code", exact=True).fill(totp_code(site_admin))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/2fa/authenticate" not in url)
        page.goto(reverse("cohorts:report", kwargs={"cohort": cohort.pk}))
        assert page.get_by_text("Download the report (CSV)").is_visible()
        button = page.locator("button", has_text="Print or save as PDF")
        assert button.count() == 1 and not button.is_visible()
    finally:
        context.close()


def test_a_learner_without_a_name_chooses_the_name_to_print(page, axe, sign_in) -> None:
    course = services.import_course(path=MINI_COURSE)
    nameless = UserFactory(email="nameless@example.gov.uk", first_name="", last_name="")
    complete(nameless, course)
    sign_in(nameless)

    page.goto(reverse("progress:course", kwargs={"course": "mini-course"}))
    page.get_by_role("button", name="Get your certificate").click()
    page.get_by_role("button", name="Get your certificate").click()  # no name given
    assert page.title().startswith("Error: ")
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page)
    page.get_by_label("Name to print on your certificate").fill("Sam Okafor")
    page.get_by_role("button", name="Get your certificate").click()
    page.wait_for_url("**/certificates/*/")
    certificate = page.locator(".app-certificate").inner_text()
    assert "Sam Okafor" in certificate and "nameless@" not in page.content()
