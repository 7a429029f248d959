"""Lesson HTML is cached, and rebuilt when the lesson or anything it embeds changes."""

import pytest

from courses import rendering
from courses.models import Chart, Course, Dataset, GlossaryTerm, Lesson

pytestmark = pytest.mark.django_db


def render_welcome() -> str:
    lesson = Lesson.objects.select_related("module__course").get(slug="welcome")
    return rendering.rendered_lesson(lesson, lesson.module.course).article_html


def test_second_render_comes_from_the_cache(mini_course, django_assert_max_num_queries) -> None:
    first = render_welcome()
    with django_assert_max_num_queries(2):  # the lesson itself, and the cache table
        assert render_welcome() == first


def test_changing_the_lesson_rebuilds_it(mini_course) -> None:
    render_welcome()
    Lesson.objects.filter(slug="welcome").update(body="## New\n\nNew text.")
    lesson = Lesson.objects.get(slug="welcome")
    lesson.save()  # bumps updated_at, as any edit does
    assert "New text." in render_welcome()


@pytest.mark.parametrize("change", ["chart", "dataset", "term"])
def test_changing_what_a_lesson_embeds_rebuilds_it(mini_course, change: str) -> None:
    assert "963 and 1,210" in render_welcome()
    if change == "chart":
        chart = Chart.objects.get(slug="nile-line")
        chart.summary = "A brand new summary."
        chart.save()
        assert "A brand new summary." in render_welcome()
    elif change == "dataset":
        dataset = Dataset.objects.get(slug="nile-sample")
        dataset.licence = "Open Government Licence v3.0"
        dataset.save()
        assert "Open Government Licence v3.0" in render_welcome()
    else:
        term = GlossaryTerm.objects.get(slug="median")
        term.definition = "The value in the middle."
        term.save()
        assert "The value in the middle." in render_welcome_terms()


def render_welcome_terms() -> str:
    lesson = Lesson.objects.select_related("module__course").get(slug="welcome")
    return str(rendering.rendered_lesson(lesson, lesson.module.course).terms)


def test_reimport_invalidates_cached_lessons(mini_course) -> None:
    version = mini_course.content_version
    from pathlib import Path

    from courses import services

    services.import_course(path=Path(__file__).parent / "fixtures" / "mini-course")
    assert Course.objects.get().content_version > version


def test_a_missing_chart_shows_a_notice_rather_than_failing(mini_course) -> None:
    Chart.objects.filter(slug="nile-line").delete()
    assert "This chart (nile-line) is not available at the moment." in render_welcome()
