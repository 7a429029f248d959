import pytest
from django.test import Client

from courses.models import Chart, Lesson, LessonCompletion
from tests.courses.factories import LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db

WELCOME = "/courses/mini-course/first-steps/welcome/"


@pytest.fixture
def reader(client: Client, learner):  # type: ignore[no-untyped-def]
    client.force_login(learner)
    return client


def test_signed_out_people_are_sent_to_sign_in(client, mini_course) -> None:
    for url in ["/courses/", "/courses/mini-course/", WELCOME, "/courses/mini-course/glossary/",
                "/courses/mini-course/datasets/nile-sample/", "/courses/mini-course/datasets/nile-sample.csv",
                "/courses/mini-course/charts/nile-bars.csv"]:  # fmt: skip
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_home_and_catalogue_list_published_courses(reader, mini_course, draft_course) -> None:
    for url in ["/", "/courses/"]:
        html = reader.get(url).content.decode()
        assert "Mini course" in html
        assert "draft-course" not in html


def test_course_page_shows_modules_lessons_and_where_to_start(reader, mini_course) -> None:
    html = reader.get("/courses/mini-course/").content.decode()
    assert "First steps" in html and "Next steps" in html
    assert "About 5 minutes" in html
    assert f'href="{WELCOME}"' in html
    assert "Start the course" in html


def test_course_page_offers_to_continue_where_the_learner_stopped(
    reader, learner, mini_course
) -> None:
    LessonCompletion.objects.create(learner=learner, lesson=Lesson.objects.get(slug="welcome"))
    html = reader.get("/courses/mini-course/").content.decode()
    assert "Continue: The data" in html
    assert "You have read 1 of 3 lessons" in html


def test_lesson_page_renders_embeds_and_navigation(reader, mini_course) -> None:
    response = reader.get(WELCOME)
    html = response.content.decode()
    assert "<title>Welcome – Mini course – Data Masterclass</title>" in html
    assert 'class="govuk-breadcrumbs"' in html
    assert 'data-chart-figure="chart-nile-line-1-figure"' in html
    assert '<script id="chart-nile-line-1-figure" type="application/json">' in html
    assert "Show the data" in html and "<caption" in html
    assert "The flow varied between 963 and 1,210" in html
    assert 'aside class="app-callout app-callout--key-idea"' in html
    assert 'href="/courses/mini-course/glossary/#term-median"' in html
    assert "Terms in this lesson" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert "/static/plotly/plotly-strict.min.js" in html
    assert "Download the chart data (CSV)" in html


def test_chart_table_is_in_the_html_without_javascript(reader, mini_course) -> None:
    html = reader.get(WELCOME).content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert '<th scope="col"' in table
    for year, volume in [("1871", "1,120"), ("1875", "1,160")]:
        assert f'<th scope="row" class="govuk-table__header">{year}</th>' in table
        assert volume in table


def test_lesson_without_charts_loads_no_chart_script(reader, mini_course) -> None:
    html = reader.get("/courses/mini-course/next-steps/questions/").content.decode()
    assert "plotly" not in html
    assert 'data-exercise="flaws"' in html


def test_lesson_page_queries_do_not_grow_with_the_course(
    reader, mini_course, django_assert_max_num_queries
):
    # The bounds include one query for the cohort release-date check.
    with django_assert_max_num_queries(16) as small_first:
        reader.get(WELCOME)  # renders and caches the lesson
    with django_assert_max_num_queries(11) as small:
        assert reader.get(WELCOME).status_code == 200
    module = ModuleFactory(course=mini_course, position=10)
    LessonFactory.create_batch(30, module=module)
    with django_assert_max_num_queries(16) as large_first:
        reader.get(WELCOME)  # the course changed, so the lesson is rendered again
    with django_assert_max_num_queries(11) as large:
        assert reader.get(WELCOME).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large_first.captured_queries) == len(small_first.captured_queries)


def test_mark_as_read_records_and_moves_on(reader, learner, mini_course) -> None:
    response = reader.post(WELCOME + "read")
    assert response.status_code == 302
    assert response["Location"] == "/courses/mini-course/first-steps/data/"
    assert LessonCompletion.objects.filter(learner=learner, lesson__slug="welcome").count() == 1
    reader.post(WELCOME + "read")  # twice is harmless
    assert LessonCompletion.objects.filter(learner=learner).count() == 1
    last = reader.post("/courses/mini-course/next-steps/questions/read")
    assert last["Location"] == "/courses/mini-course/"


def test_mark_as_read_needs_a_post(reader, mini_course) -> None:
    assert reader.get(WELCOME + "read").status_code == 405


def test_learners_never_see_unpublished_courses(reader, draft_course) -> None:
    for url in ["/courses/draft-course/", "/courses/draft-course/first-steps/welcome/",
                "/courses/draft-course/glossary/", "/courses/draft-course/datasets/nile-sample/",
                "/courses/draft-course/datasets/nile-sample.csv", "/courses/draft-course/charts/nile-bars.csv"]:  # fmt: skip
        assert reader.get(url).status_code == 404, url
    assert reader.post("/courses/draft-course/first-steps/welcome/read").status_code == 404


def test_authors_and_admins_can_preview_unpublished_courses(
    client, author, site_admin, draft_course
) -> None:
    for person in (author, site_admin):
        client.force_login(person)
        response = client.get("/courses/draft-course/")
        assert response.status_code == 200
        assert "Draft: learners cannot see this course" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/courses/no-such-course/",
        "/courses/mini-course/no-such-module/welcome/",
        "/courses/mini-course/first-steps/no-such-lesson/",
        "/courses/mini-course/datasets/no-such-dataset/",
        "/courses/mini-course/datasets/no-such-dataset.csv",
        "/courses/mini-course/charts/no-such-chart.csv",
    ],
)
def test_unknown_slugs_give_the_styled_404(reader, mini_course, url: str) -> None:
    response = reader.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_glossary_lists_terms_with_anchors(reader, mini_course) -> None:
    html = reader.get("/courses/mini-course/glossary/").content.decode()
    assert 'id="term-median"' in html
    assert "The middle value when the values are put in order." in html


def test_dataset_page_shows_source_licence_columns_and_preview(reader, mini_course) -> None:
    html = reader.get("/courses/mini-course/datasets/nile-sample/").content.decode()
    for text in ["Nile flow sample", "Cobb (1978)", "Public domain", "1871 to 1875", "5 rows, 3 columns",
                 "Annual flow", "100 million cubic metres", "(may be blank)", "1,120"]:  # fmt: skip
        assert text in html, text


def test_dataset_download_is_the_csv(reader, mini_course) -> None:
    response = reader.get("/courses/mini-course/datasets/nile-sample.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="nile-sample.csv"'
    assert response.content.decode().startswith("year,volume,note\n1871,1120,\n")


def test_chart_download_has_only_the_charted_rows(reader, mini_course) -> None:
    response = reader.get("/courses/mini-course/charts/nile-bars.csv")
    assert response.content.decode().splitlines() == [
        "year,volume,note",
        "1872,1160,wet",
        "1873,963,",
        "1874,1210,",
    ]


def test_chart_in_a_lesson_links_to_its_dataset(reader, mini_course) -> None:
    html = reader.get(WELCOME).content.decode()
    assert 'href="/courses/mini-course/datasets/nile-sample/"' in html
    assert Chart.objects.get(slug="nile-line").dataset.licence in html
