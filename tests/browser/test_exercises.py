"""Every kind of exercise in the sample course, answered in Chromium and marked by a real
worker; axe-core on the question, the error state and the result."""

from pathlib import Path

import pytest

from courses import services as course_services
from exercises.models import Exercise, Kind

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SAMPLE_COURSE = Path(__file__).resolve().parents[2] / "content" / "data-masterclass"


def fill_answer(page, exercise: Exercise) -> None:  # type: ignore[no-untyped-def]
    kind, spec = exercise.kind, exercise.spec
    if kind == Kind.SINGLE_CHOICE or (
        kind == Kind.CHART_READING and spec["answer_type"] == "choice"
    ):
        page.locator("input[name=choice]").first.check()
    elif kind in (Kind.MULTIPLE_CHOICE, Kind.SPOT_THE_FLAW):
        page.locator("input[name=choices]").first.check()
    elif kind == Kind.ESTIMATE:
        page.locator("#id_low").fill("1")
        page.locator("#id_high").fill("1,000,000")
    elif kind == Kind.ORDERING:
        for position, select in enumerate(page.locator("select").all(), start=1):
            select.select_option(str(position))
    elif kind == Kind.SQL:
        page.locator("#id_query").fill("SELECT 1")
    elif kind == Kind.FREE_TEXT:
        page.locator("#id_text").fill("The figures need context before anyone acts on them.")
    else:
        page.locator("#id_value").fill("1")
    if exercise.ask_confidence:
        page.locator("input[name=confidence]").first.check()


def test_every_kind_of_exercise_end_to_end(page, axe, learner, sign_in, celery_worker) -> None:
    course_services.import_course(path=SAMPLE_COURSE)
    sign_in(learner)
    exercises = {}
    for exercise in Exercise.objects.order_by("slug"):
        exercises.setdefault(exercise.kind, exercise)
    assert set(exercises) == set(Kind.values)
    for kind, exercise in exercises.items():
        page.goto(exercise.get_absolute_url())
        axe(page)
        # Nothing filled in: the error summary, focused, and nothing saved.
        with page.expect_navigation():
            page.get_by_role("button", name="Submit your answer").click()
        page.locator(".govuk-error-summary").wait_for(timeout=10_000)
        assert page.title().startswith("Error: "), kind
        axe(page)
        fill_answer(page, exercise)
        with page.expect_navigation():
            page.get_by_role("button", name="Submit your answer").click()
        attempt = page.locator(".app-attempt").last
        if kind == Kind.FREE_TEXT:
            assert "Waiting for a tutor" in attempt.inner_text()
        else:
            # Marked by the worker and shown without reloading the page.
            attempt.locator(".govuk-tag:not(.govuk-tag--grey)").wait_for(timeout=30_000)
            assert "Marking your answer" not in attempt.inner_text(), kind
        axe(page)


def test_staff_and_listing_pages_are_accessible(page, axe, learner, site_admin, sign_in) -> None:
    from exercises import services
    from tests.courses.conftest import MINI_COURSE

    course_services.import_course(path=MINI_COURSE)
    written = services.submit_answer(
        learner=learner, exercise=Exercise.objects.get(slug="what-is-noise"),
        answer={"text": "One year is noise."}, confidence=None,
    )  # fmt: skip
    sign_in(site_admin)
    for url in [
        "/",
        "/courses/",
        "/marking/",
        f"/marking/{written.pk}/",
        "/marking/errors/",
        "/status/",
    ]:
        page.goto(url)
        axe(page)
    # The marking form's error state, and saving a mark.
    page.goto(f"/marking/{written.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the mark").click()
    page.locator(".govuk-error-summary").wait_for()
    axe(page)
    page.get_by_label("Says one year is not a trend (out of 2)").select_option("2")
    page.get_by_label("Mentions the years either side (out of 1)").select_option("1")
    page.get_by_label("Comment for the learner").fill("Clear and right.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the mark").click()
    assert "Mark saved" in page.locator(".govuk-notification-banner").inner_text()
    axe(page)
