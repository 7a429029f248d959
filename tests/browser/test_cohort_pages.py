"""A cohort's pages in Chromium as an admin: the dashboard with its chart, a learner's
answers, the question analysis with a question's chart, and the printable board report, all
axe-clean and within the Content Security Policy."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import services
from exercises.models import Exercise
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.cohorts.test_dashboard_views import answer, read_all_of_module

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINI_COURSE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "mini-course"


def test_cohort_pages_are_accessible_and_draw_their_charts(page, axe, site_admin, sign_in):
    course = services.import_course(path=MINI_COURSE)
    cohort = CohortFactory(
        course=course, name="Board 1", start_date=timezone.localdate() - datetime.timedelta(20)
    )
    flaws = Exercise.objects.get(course=course, slug="flaws")
    for n, group in enumerate(["HM Treasury"] * 6 + ["Home Office"] * 5 + ["Cabinet Office"] * 2):
        user = UserFactory(first_name="Learner", last_name=f"{n:02d}", answers_private=n == 3)
        MembershipFactory(cohort=cohort, learner=user, group=group)
        read_all_of_module(user, course, 1 + n % 2)
        answer(user, flaws, {"choices": [0, 2] if n % 3 else [1]})
    MembershipFactory(cohort=cohort, email="not.yet@example.gov.uk")
    sign_in(site_admin)

    page.goto(reverse("cohorts:dashboard", kwargs={"cohort": cohort.pk}))
    page.wait_for_selector("#cohort-completion-plot.app-chart__plot--drawn")
    assert page.locator("#cohort-completion-plot svg.main-svg").count() >= 1
    assert "Private" in page.locator("table").last.inner_text()
    tabs = page.get_by_role("navigation", name="This cohort")
    assert tabs.locator('[aria-current="page"]').inner_text() == "Progress"
    axe(page)

    page.goto(reverse("cohorts:dashboard", kwargs={"cohort": cohort.pk}) + "?status=asleep")
    assert page.title().startswith("Error: ")
    axe(page)

    page.get_by_role("link", name="Learner 00").click()
    page.wait_for_url("**/learners/*/")
    page.get_by_text("1 answer to What is wrong with the bars?").click()
    assert page.get_by_text("The bars use the wrong units").is_visible()
    axe(page)

    page.goto(reverse("cohorts:items", kwargs={"cohort": cohort.pk}))
    assert "Based on 13 learners: treat with caution" in page.locator("main").inner_text()
    assert tabs.locator('[aria-current="page"]').inner_text() == "Question analysis"
    axe(page)

    page.get_by_role("link", name="What is wrong with the bars?").click()
    page.wait_for_url("**/questions/flaws/")
    page.wait_for_selector(".app-chart__plot--drawn")
    assert "The bars use the wrong units" in page.locator("main").inner_text()
    axe(page)

    page.goto(reverse("cohorts:report", kwargs={"cohort": cohort.pk}))
    assert "fewer than 5" in page.locator("main").inner_text()
    print_button = page.get_by_role("button", name="Print or save as PDF")
    assert print_button.is_visible()
    axe(page)
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not print_button.is_visible()
    assert page.locator("table").first.is_visible()
