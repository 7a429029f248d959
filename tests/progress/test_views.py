"""The learner's progress pages, the home page's "continue", and the settings form. Each page
shows the signed-in learner's own figures and no one else's."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Lesson
from exercises.models import Exercise
from progress.models import Certificate
from tests.courses.factories import CourseFactory, LessonFactory, ModuleFactory
from tests.progress.helpers import answer, complete, exercise, read, right, wrong

pytestmark = pytest.mark.django_db

PROGRESS = "/progress/courses/mini-course/"


@pytest.fixture
def me(client: Client, learner):  # type: ignore[no-untyped-def]
    client.force_login(learner)
    return client


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    """The page's text with tags and extra spaces removed, for assertions on sentences."""
    html = response.content.decode()
    main = html[html.index("<main") :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def embed(course, lesson_slug: str, *exercise_slugs: str) -> None:  # type: ignore[no-untyped-def]
    """Count these exercises towards the module of a lesson (as if the lesson embedded them)."""
    lesson = Lesson.objects.get(module__course=course, slug=lesson_slug)
    Exercise.objects.filter(course=course, slug__in=exercise_slugs).update(lesson=lesson)


@pytest.fixture
def draft_course(course):  # type: ignore[no-untyped-def]
    draft = CourseFactory(slug="draft-course", published=False)
    ModuleFactory(course=draft)
    return draft


# --- Access ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["/progress/", "/progress/settings/", PROGRESS, PROGRESS + "certificate/"]
)
def test_signed_out_people_are_sent_to_sign_in(client, course, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_and_unpublished_courses_give_404(me, course, draft_course) -> None:
    assert me.get("/progress/courses/no-such-course/").status_code == 404
    assert me.get("/progress/courses/draft-course/").status_code == 404
    assert me.post("/progress/courses/draft-course/certificate/").status_code == 404


def test_authors_can_see_their_progress_on_a_draft_course(client, author, draft_course) -> None:
    client.force_login(author)
    assert client.get("/progress/courses/draft-course/").status_code == 200


def test_a_course_named_settings_does_not_clash_with_the_settings_page(me, learner) -> None:
    settings_course = CourseFactory(slug="settings", title="Settings for analysts")
    lesson = LessonFactory(module=ModuleFactory(course=settings_course))
    read(learner, settings_course, lesson.slug)

    page = me.get(reverse("progress:course", kwargs={"course": "settings"}))
    assert page.status_code == 200
    assert "Settings for analysts" in text_of(page)
    assert reverse("progress:course", kwargs={"course": "settings"}) != reverse("progress:settings")
    assert "Emails and privacy" in text_of(me.get(reverse("progress:settings")))
    assert f'href="{reverse("progress:course", kwargs={"course": "settings"})}"' in (
        me.get("/progress/").content.decode()
    )


# --- Overview -------------------------------------------------------------------------------
def test_overview_lists_courses_with_completion_and_mastery_in_words(me, learner, course):
    CourseFactory(title="Statistics for boards")
    read(learner, course, "welcome")
    right(learner, course, "flow-1871")
    wrong(learner, course, "lowest-year")

    response = me.get("/progress/")

    assert response.status_code == 200
    text = text_of(response)
    # 1 lesson + 2 answers of 3 lessons + 8 exercises; 1 of 8 right.
    assert "27% complete : 1 of 3 lessons read, 2 of 8 questions answered" in text
    assert "12% mastery : 1 of 8 questions answered correctly" in text
    html = response.content.decode()
    assert '<progress class="app-progress__bar" max="100" value="27"' in html
    assert f'href="{PROGRESS}"' in html
    assert "Statistics for boards" in text and "Not started" in text
    assert 'href="/progress/settings/"' in html
    assert "When you finish a course, you can get a certificate" in text
    assert "Get your certificate" not in text


def test_overview_offers_the_certificate_of_a_completed_course(me, learner, course) -> None:
    complete(learner, course)
    html = me.get("/progress/").content.decode()
    assert f'action="{PROGRESS}certificate/"' in html
    assert "Get your certificate" in html


def test_overview_lists_certificates(me, learner, course) -> None:
    complete(learner, course)
    me.post(PROGRESS + "certificate/")
    html = me.get("/progress/").content.decode()
    code = learner.certificates.get().code
    assert f'href="/certificates/{code}/"' in html
    assert "Completed" in html
    assert "Get your certificate" not in html


# --- One course ----------------------------------------------------------------------------
def test_course_progress_shows_lessons_exercises_and_module_figures(me, learner, course):
    read(learner, course, "welcome")
    answer(learner, exercise(course, "flaws"), {"choices": [0]})  # half right
    wrong(learner, course, "flow-1871")
    right(learner, course, "flow-1871")

    response = me.get(PROGRESS)

    assert response.status_code == 200
    text = text_of(response)
    assert "1. First steps" in text and "2. Next steps" in text
    assert "50% complete : 1 of 2 lessons read." in text  # First steps: no questions
    # Next steps: its lesson and its 2 embedded questions; 1 of them answered, none right.
    assert "33% complete : 0 of 1 lesson read, 1 of 2 questions answered." in text
    assert "0% mastery : 0 of 2 questions answered correctly." in text
    html = response.content.decode()
    assert re.search(r"Welcome</a>\s*</div>\s*<div[^>]*>Read</div>", html)
    assert re.search(r"The data</a>\s*</div>\s*<div[^>]*><strong[^>]*>Not started</strong>", html)
    assert re.search(r"Questions to ask</a>\s*</div>\s*<div[^>]*><strong[^>]*>In progress", html)
    # Exercises link to their pages, with attempts and best score.
    assert 'href="/courses/mini-course/exercises/flaws/"' in html
    assert re.search(
        r"Flow in 1871</a> <strong[^>]*>Right</strong></th>\s*<td[^>]*>2</td>\s*<td[^>]*>100%</td>",
        html,
    )
    assert re.search(
        r"What is wrong with the bars\?</a></th>\s*<td[^>]*>1</td>\s*<td[^>]*>50%</td>", html
    )
    assert re.search(
        r"Years above 1,150</a></th>\s*<td[^>]*>0</td>\s*<td[^>]*>Not tried</td>", html
    )
    assert "Questions not in a lesson" in text


def test_an_answer_waiting_to_be_marked_says_so(me, learner, course) -> None:
    answer(learner, exercise(course, "flow-1871"), {"value": 1120.0}, grade=False)
    assert "Not marked yet" in text_of(me.get(PROGRESS))


def test_strongest_and_weakest_topics_need_answers_in_two_modules(me, learner, course):
    right(learner, course, "flaws")
    text = text_of(me.get(PROGRESS))
    assert "Answer more questions to see your strongest and weakest topics" in text

    embed(course, "welcome", "flow-1871", "lowest-year")
    wrong(learner, course, "lowest-year")
    text = text_of(me.get(PROGRESS))
    assert "Your strongest topic is Next steps . The topic to go back to is First steps ." in text
    assert "Modules, strongest first" in text


def test_calibration_chart_is_explained_until_there_are_enough_answers(me, learner, course):
    right(learner, course, "lowest-year", confidence=90)
    response = me.get(PROGRESS)
    text = text_of(response)
    assert "When you have answered at least 5 of them" in text
    assert "You have 1 so far." in text
    assert "plotly" not in response.content.decode()


def test_calibration_chart_with_summary_and_data_table(me, learner, course) -> None:
    wrong(learner, course, "flow-1871", confidence=90)
    right(learner, course, "flow-1871", confidence=90)  # a second try: left out
    wrong(learner, course, "order-years", confidence=90)
    right(learner, course, "lowest-year", confidence=90)
    wrong(learner, course, "total-flow", confidence=90)
    right(learner, course, "flaws", confidence=50)

    response = me.get(PROGRESS)

    html = response.content.decode()
    assert 'data-chart-figure="calibration-figure"' in html
    assert '<script id="calibration-figure" type="application/json">' in html
    assert "/static/plotly/plotly-strict.min.js" in html and "build/plotly.css" in html
    text = text_of(response)
    assert (
        "When you said you were 50% sure, you were right 100% of the time (1 of 1 answer); "
        "when you said you were 90% sure, you were right 25% of the time (1 of 4 answers)."
    ) in text
    assert "over-confident" in text
    table = html[html.index('id="calibration-title"') :]
    table = table[table.index("<table") : table.index("</table>")]
    assert "<caption" in table and '<th scope="col"' in table
    assert re.search(r'<th scope="row" class="govuk-table__header">90%</th>\s*'
                     r'<td[^>]*>4</td><td[^>]*>1</td><td[^>]*>25%</td>', table)  # fmt: skip


def test_course_progress_queries_do_not_grow_with_exercises_or_answers(
    me, learner, course, django_assert_max_num_queries
) -> None:
    read(learner, course, "welcome")
    right(learner, course, "lowest-year", confidence=90)
    with django_assert_max_num_queries(12) as small:
        assert me.get(PROGRESS).status_code == 200

    module = ModuleFactory(course=course, position=10)
    lessons = LessonFactory.create_batch(5, module=module)
    for lesson in lessons:
        read(learner, course, lesson.slug)
    for slug in ["flow-1871", "order-years"]:
        for _ in range(3):
            wrong(learner, course, slug, confidence=70)
    right(learner, course, "flaws", confidence=99)
    for n in range(20):
        Exercise.objects.create(
            course=course, slug=f"extra-{n}", title=f"Extra {n}", kind="numeric", prompt="?",
            spec={"answer": 1}, explanation=".", lesson=lessons[n % 5],
        )  # fmt: skip
    with django_assert_max_num_queries(12) as large:
        assert me.get(PROGRESS).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Privacy --------------------------------------------------------------------------------
PRIVACY = (
    "Other learners never see your scores. If you are in a cohort, its facilitators can see "
    "your progress, and also your scores and answers unless you choose to keep your answers "
    "private."
)
PRIVATE = (
    "Other learners never see your scores. You keep your practice answers private: your "
    "facilitators see how much of the course you have done, but not your scores or answers."
)


def test_progress_pages_say_truthfully_who_can_see_the_learners_scores(me, learner, course):
    for url in ["/progress/", PROGRESS]:
        response = me.get(url)
        text = text_of(response)
        assert "Only you can see" not in text
        assert PRIVACY in text and PRIVATE not in text
        assert 'href="/progress/settings/"' in response.content.decode()

    learner.answers_private = True
    learner.save()
    for url in ["/progress/", PROGRESS]:
        text = text_of(me.get(url))
        assert PRIVATE in text and PRIVACY not in text


def test_the_home_page_makes_no_promise_that_scores_are_private(client) -> None:
    text = text_of(client.get("/"))
    assert "private to you" not in text
    assert "other learners never see your scores" in text


def test_progress_pages_never_show_another_learners_figures(
    me, learner, other_learner, course
) -> None:
    other_learner.first_name, other_learner.last_name = "Robin", "Other"
    other_learner.save()
    complete(other_learner, course)
    for _ in range(5):
        wrong(other_learner, course, "order-years", confidence=99)
    right(other_learner, course, "flow-1871", confidence=99)
    # The learner has done nothing at all.
    overview = text_of(me.get("/progress/"))
    page = text_of(me.get(PROGRESS))

    assert "Not started" in overview and "Robin" not in overview
    assert "% complete" not in overview and "/certificates/" not in overview
    assert "You have not started this course yet." in page
    assert page.count("Not started") == 3 and "In progress" not in page
    assert "100%" not in page and "You have completed" not in page
    assert "You have 0 so far" not in page and "When you said" not in page
    home = text_of(me.get("/"))
    assert "Continue where you left off" not in home


# --- Home page ------------------------------------------------------------------------------
def test_home_page_continues_the_most_recent_course_at_its_next_lesson(me, learner, course):
    other = CourseFactory(title="Another course")
    other_lesson = LessonFactory(module=ModuleFactory(course=other))
    read(learner, other, other_lesson.slug)
    read(learner, course, "welcome")  # the most recent

    html = me.get("/").content.decode()

    section = html[html.index("Continue where you left off") :]
    assert re.search(r'href="/courses/mini-course/first-steps/data/"[^>]*>\s*Continue', section)
    assert "1 of 3 lessons read" in html
    assert "1 of 1 lessons read" in html
    assert f'href="{PROGRESS}"' in html


def test_home_page_continues_the_latest_course_not_yet_completed(me, learner, course):
    other = CourseFactory(title="Another course")
    first, second = LessonFactory.create_batch(2, module=ModuleFactory(course=other))
    read(learner, other, first.slug)
    complete(learner, course)  # the most recent, but complete

    html = me.get("/").content.decode()

    section = html[html.index("Continue where you left off") : html.index("Your courses")]
    assert "Another course: next," in section and "Mini course" not in section
    assert re.search(rf'href="{second.get_absolute_url()}"[^>]*>\s*Continue', section)


def test_home_page_offers_the_certificate_when_every_course_is_complete(me, learner, course):
    complete(learner, course)

    html = me.get("/").content.decode()

    assert "Continue where you left off" not in html
    assert "You have completed Mini course" in html
    assert f'action="{PROGRESS}certificate/"' in html and "Get your certificate" in html
    me.post(PROGRESS + "certificate/")
    code = Certificate.objects.get().code
    html = me.get("/").content.decode()
    assert f'href="/certificates/{code}/"' in html and "View your certificate" in html


def test_home_page_without_progress_has_no_continue(me, course) -> None:
    html = me.get("/").content.decode()
    assert "Continue where you left off" not in html
    assert "Not started" in html


def test_home_page_queries_do_not_grow_with_courses(
    me, learner, course, django_assert_max_num_queries
):
    read(learner, course, "welcome")
    with django_assert_max_num_queries(9) as few:
        me.get("/")
    for _ in range(5):
        extra = CourseFactory()
        lesson = LessonFactory(module=ModuleFactory(course=extra))
        read(learner, extra, lesson.slug)
    read(learner, course, "data")
    with django_assert_max_num_queries(9) as many:
        me.get("/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_course_page_shows_statuses_and_module_figures(me, learner, course) -> None:
    read(learner, course, "welcome")
    answer(learner, exercise(course, "flaws"), {"choices": [0]}, grade=False)
    text = text_of(me.get("/courses/mini-course/"))
    assert "1 of 2 lessons read" in text and "0 of 1 lesson read" in text
    assert "Welcome About 5 minutes Read" in text
    assert "Not started" in text and "In progress" in text


# --- Settings -------------------------------------------------------------------------------
def test_settings_show_the_learners_choices(me, learner) -> None:
    html = me.get("/progress/settings/").content.decode()
    assert "Email me when I fall behind or a module is nearly due" in html
    assert "Keep my practice answers private from facilitators" in html
    assert "see only how much of the course you have done" in html
    assert re.search(r'name="progress_emails" type="checkbox" checked', html)
    assert not re.search(r'name="answers_private" type="checkbox" checked', html)


def test_saving_settings_changes_them_and_says_so(me, learner) -> None:
    response = me.post("/progress/settings/", {"answers_private": "on"}, follow=True)
    learner.refresh_from_db()
    assert (learner.progress_emails, learner.answers_private) == (False, True)
    assert response.redirect_chain == [("/progress/settings/", 302)]
    assert "Your choices have been saved." in response.content.decode()


@pytest.mark.parametrize(
    "data", [{"progress_emails": "maybe", "answers_private": ["a", "b"]}, {"junk": "x" * 10_000}]
)
def test_odd_settings_input_never_breaks_the_page(me, learner, data) -> None:
    response = me.post("/progress/settings/", data)
    assert response.status_code == 302


def test_settings_cannot_change_other_fields(me, learner) -> None:
    me.post("/progress/settings/", {"is_staff": "on", "email": "x@example.com"})
    learner.refresh_from_db()
    assert not learner.is_staff and learner.email == "learner@example.gov.uk"


# --- Navigation -----------------------------------------------------------------------------
def test_signed_in_people_see_your_progress_in_the_navigation(me, client) -> None:
    html = me.get("/progress/").content.decode()
    nav = html[html.index("govuk-service-navigation") : html.index("</header>")]
    assert 'href="/progress/" aria-current="page"' in nav


def test_signed_out_people_do_not(client) -> None:
    html = client.get("/").content.decode()
    assert "Your progress" not in html[: html.index("</header>")]
