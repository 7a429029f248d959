"""Reading the course in Chromium: charts draw, every lesson passes axe-core, keyboard-only
reading works, and summaries and tables stand without JavaScript."""

from pathlib import Path

import pytest

from courses import services
from courses.models import Lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_COURSE = Path(__file__).resolve().parents[2] / "content" / "data-masterclass"
MINI_COURSE = Path(__file__).resolve().parents[1] / "courses" / "fixtures" / "mini-course"
WELCOME = "/courses/mini-course/first-steps/welcome/"


@pytest.fixture
def mini_course(transactional_db):  # type: ignore[no-untyped-def]
    return services.import_course(path=MINI_COURSE)


def test_every_lesson_of_the_sample_course_is_accessible_and_its_charts_draw(
    page, axe, learner, sign_in
):
    services.import_course(path=SAMPLE_COURSE)
    sign_in(learner)
    lessons = list(
        Lesson.objects.select_related("module__course").order_by("module__position", "position")
    )
    assert len(lessons) >= 18
    for lesson in lessons:
        page.goto(lesson.get_absolute_url())
        charts = page.locator("[data-chart-figure]")
        expected = charts.count()
        if expected:
            page.wait_for_function(
                f"document.querySelectorAll('.app-chart__plot--drawn').length === {expected}"
            )
            assert page.locator(".app-chart__plot svg.main-svg").count() >= expected
        axe(page)
    page.goto("/courses/data-masterclass/")
    axe(page)
    page.goto("/courses/data-masterclass/glossary/")
    axe(page)
    page.goto("/courses/data-masterclass/datasets/gapminder/")
    axe(page)


def test_keyboard_only_reading(page, learner, sign_in, mini_course) -> None:
    sign_in(learner)
    page.goto(WELCOME)

    def tab_to(predicate: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(
                f"(() => {{ const el = document.activeElement; return {predicate}; }})()"
            ):
                return
        pytest.fail(f"Tab never reached: {predicate}")

    tab_to("el.classList.contains('govuk-details__summary')")
    page.keyboard.press("Enter")
    assert page.locator("details.app-chart__data").first.get_attribute("open") is not None
    assert page.locator("details.app-chart__data table").first.is_visible()
    tab_to("el.textContent.includes('Mark as read and continue')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/first-steps/data/")
    assert "You have read “Welcome”." in page.locator(".govuk-notification-banner").inner_text()


def test_charts_keep_their_summary_and_table_without_javascript(
    browser, live_server, learner, password, mini_course
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(learner.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.goto(WELCOME)
    assert page.locator(".app-chart__summary").first.is_visible()
    assert not page.locator(".app-chart__plot").first.is_visible()  # nothing to draw without JS
    page.get_by_text("Show the data").first.click()
    assert page.locator(".app-chart__data table").first.is_visible()
    context.close()


def test_lessons_fit_a_320_pixel_screen(page, learner, sign_in, mini_course) -> None:
    sign_in(learner)
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(WELCOME)
    page.wait_for_selector(".app-chart__plot--drawn")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.locator(".app-chart__plot svg.main-svg").first.bounding_box()["width"] <= 320


def test_print_layout_drops_navigation_and_shows_chart_data(
    page, learner, sign_in, mini_course
) -> None:
    sign_in(learner)
    page.goto(WELCOME)
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.locator(".govuk-pagination").is_visible()
    assert not page.get_by_role("button", name="Mark as read and continue").is_visible()
    assert page.locator(".app-chart__data table").first.is_visible()


def test_high_contrast_mode_keeps_callouts_visible(
    page, learner, sign_in, mini_course, axe
) -> None:
    sign_in(learner)
    page.emulate_media(forced_colors="active")
    page.goto(WELCOME)
    border = page.locator(".app-callout").first.evaluate(
        "el => getComputedStyle(el).borderTopStyle"
    )
    assert border == "solid"
    axe(page)
