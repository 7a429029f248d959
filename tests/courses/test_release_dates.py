"""Module release dates: a cohort's learners open a module's lessons (and the exercises they
embed) only from the day it is released to one of their cohorts."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from cohorts.models import Cohort, Membership, ModuleSchedule
from courses import selectors
from courses.models import Module
from tests.accounts.factories import UserFactory
from tests.courses.factories import CourseFactory
from tests.progress.helpers import read

pytestmark = pytest.mark.django_db

QUESTIONS = "/courses/mini-course/next-steps/questions/"
DATA = "/courses/mini-course/first-steps/data/"
COURSE = "/courses/mini-course/"
TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=8)
MUCH_LATER = TODAY + datetime.timedelta(days=20)


def in_words(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def cohort_with(course, *, opens: datetime.date | None, learner=None, archived=False):  # type: ignore[no-untyped-def]
    """A cohort on the course whose second module opens on ``opens``."""
    cohort = Cohort.objects.create(
        name="Board",
        course=course,
        start_date=TODAY - datetime.timedelta(days=7),
        archived=archived,
    )
    ModuleSchedule.objects.create(
        cohort=cohort,
        module=Module.objects.get(course=course, slug="next-steps"),
        release_date=opens,
    )
    if learner is not None:
        Membership.objects.create(
            cohort=cohort, email=learner.email, learner=learner, joined_at=timezone.now()
        )
    return cohort


@pytest.fixture
def course(mini_course):  # type: ignore[no-untyped-def]
    return mini_course


@pytest.fixture
def me(client: Client, learner):  # type: ignore[no-untyped-def]
    client.force_login(learner)
    return client


def test_a_learner_cannot_open_lessons_of_a_module_not_yet_released(me, learner, course):
    cohort_with(course, opens=LATER, learner=learner)

    response = me.get(QUESTIONS)

    assert response.status_code == 403
    html = response.content.decode()
    assert f"This module opens on {in_words(LATER)}" in html
    assert 'href="/courses/mini-course/"' in html
    assert me.post(QUESTIONS + "read").status_code == 403
    assert not learner.lesson_completions.exists()
    # The first module has no release date: open.
    assert me.get("/courses/mini-course/first-steps/welcome/").status_code == 200


def test_the_course_page_shows_when_a_module_opens_instead_of_links(me, learner, course):
    cohort_with(course, opens=LATER, learner=learner)
    html = me.get("/courses/mini-course/").content.decode()
    assert f"Opens on {in_words(LATER)}" in html
    assert f'href="{QUESTIONS}"' not in html
    assert 'href="/courses/mini-course/first-steps/welcome/"' in html


def test_exercises_in_a_closed_module_are_closed_too(me, learner, course) -> None:
    cohort_with(course, opens=LATER, learner=learner)
    response = me.get("/courses/mini-course/exercises/flaws/")  # embedded in "questions"
    assert response.status_code == 403
    assert f"opens on {in_words(LATER)}" in response.content.decode()
    assert me.post("/courses/mini-course/exercises/flaws/", {"choices": ["0"]}).status_code == 403
    assert not learner.submissions.exists()
    # An exercise in no lesson belongs to no module: never closed.
    assert me.get("/courses/mini-course/exercises/flow-1871/").status_code == 200
    html = me.get("/progress/courses/mini-course/").content.decode()
    assert f"Opens on {in_words(LATER)}" in html
    assert 'href="/courses/mini-course/exercises/flaws/"' not in html


@pytest.mark.parametrize("opens", [TODAY, TODAY - datetime.timedelta(days=1), None])
def test_a_module_is_open_from_its_release_date(me, learner, course, opens) -> None:
    cohort_with(course, opens=opens, learner=learner)
    assert me.get(QUESTIONS).status_code == 200
    assert me.get("/courses/mini-course/exercises/flaws/").status_code == 200


def test_in_several_cohorts_the_earliest_release_wins(me, learner, course) -> None:
    cohort_with(course, opens=MUCH_LATER, learner=learner)
    cohort_with(course, opens=LATER, learner=learner)
    assert f"This module opens on {in_words(LATER)}" in me.get(QUESTIONS).content.decode()

    cohort_with(course, opens=TODAY, learner=learner)
    assert me.get(QUESTIONS).status_code == 200


def test_a_cohort_without_a_schedule_for_the_module_opens_it(me, learner, course) -> None:
    cohort_with(course, opens=LATER, learner=learner)
    other = Cohort.objects.create(name="Open", course=course, start_date=TODAY)
    Membership.objects.create(cohort=other, email=learner.email, learner=learner)
    assert me.get(QUESTIONS).status_code == 200


def test_archived_cohorts_and_other_courses_cohorts_do_not_close_modules(me, learner, course):
    cohort_with(course, opens=LATER, learner=learner, archived=True)
    other_course = CourseFactory()
    Membership.objects.create(
        cohort=Cohort.objects.create(name="Elsewhere", course=other_course, start_date=TODAY),
        email=learner.email,
        learner=learner,
    )
    assert me.get(QUESTIONS).status_code == 200


def test_learners_in_no_cohort_and_invited_addresses_are_not_held_back(me, learner, course):
    cohort = cohort_with(course, opens=LATER)
    Membership.objects.create(cohort=cohort, email=learner.email)  # invited, not yet joined
    assert me.get(QUESTIONS).status_code == 200
    assert selectors.closed_modules(user=learner, course=course) == {}


def test_staff_and_authors_are_never_held_back(client, author, site_admin, course) -> None:
    for person in (author, site_admin):
        cohort_with(course, opens=LATER, learner=person)
        client.force_login(person)
        assert client.get(QUESTIONS).status_code == 200
        assert client.get("/courses/mini-course/exercises/flaws/").status_code == 200
        assert selectors.closed_modules(user=person, course=course) == {}


def test_closed_modules_names_each_module_and_its_day(learner, course) -> None:
    cohort_with(course, opens=LATER, learner=learner)
    module = Module.objects.get(course=course, slug="next-steps")
    assert selectors.closed_modules(user=learner, course=course) == {module.pk: LATER}
    assert selectors.module_opens_on(user=learner, module=module) == LATER
    first = Module.objects.get(course=course, slug="first-steps")
    assert selectors.module_opens_on(user=learner, module=first) is None
    assert selectors.closed_modules(user=UserFactory(), course=course) == {}


def test_continue_skips_lessons_that_are_not_open_yet(me, learner, course) -> None:
    cohort_with(course, opens=LATER, learner=learner)
    read(learner, course, "welcome", "data")

    home = me.get("/").content.decode()
    page = me.get("/courses/mini-course/").content.decode()

    assert f'href="{QUESTIONS}"' not in home
    assert "You have read every open lesson of Mini course" in home
    assert f"The next module opens on {in_words(LATER)}" in page
    assert "Continue:" not in page


def test_continue_goes_to_the_first_open_unread_lesson(me, learner, course) -> None:
    read(learner, course, "welcome")
    home = me.get("/").content.decode()
    assert re.search(r'href="/courses/mini-course/first-steps/data/"[^>]*>\s*Continue', home)


def test_the_check_costs_the_lesson_page_at_most_one_query(
    me, learner, course, django_assert_max_num_queries
) -> None:
    # The lesson page's bound before release dates was 10 (15 when it renders the lesson).
    cohort_with(course, opens=TODAY, learner=learner)
    for url in ("/courses/mini-course/first-steps/welcome/", QUESTIONS):
        me.get(url)  # renders and caches the lesson
        with django_assert_max_num_queries(11):
            assert me.get(url).status_code == 200


# --- Never a link to a lesson that is not open ------------------------------------------------
def test_the_last_open_lesson_does_not_lead_into_a_closed_module(me, learner, course) -> None:
    cohort_with(course, opens=LATER, learner=learner)

    html = me.get(DATA).content.decode()

    assert f'href="{QUESTIONS}"' not in html and 'rel="next"' not in html
    assert f"Next module opens on {in_words(LATER)}" in html
    assert 'rel="prev"' in html  # the lesson before is open
    assert "Mark as read and continue" not in html
    # Marking it read goes back to the course, not to a page that would refuse them.
    assert me.post(DATA + "read")["Location"] == COURSE
    html = me.get(DATA).content.decode()
    assert "You have read this lesson." in html
    assert "Next lesson" not in html and f'href="{QUESTIONS}"' not in html
    assert f"Next module opens on {in_words(LATER)}" in html


def test_the_shared_lesson_cache_keeps_each_learners_links_their_own(
    client, learner, other_learner, course
) -> None:
    cohort_with(course, opens=LATER, learner=learner)
    client.force_login(learner)
    assert f'href="{QUESTIONS}"' not in client.get(DATA).content.decode()  # cached now

    client.force_login(other_learner)  # in no cohort: every module is open
    html = client.get(DATA).content.decode()
    assert f'href="{QUESTIONS}"' in html and "Next module opens" not in html
    assert client.post(DATA + "read")["Location"] == QUESTIONS
    assert re.search(
        rf'class="govuk-button"[^>]*href="{QUESTIONS}">Next lesson',
        client.get(DATA).content.decode(),
    )

    client.force_login(learner)
    assert f'href="{QUESTIONS}"' not in client.get(DATA).content.decode()


def test_a_previous_lesson_in_a_closed_module_is_not_linked(me, learner, course) -> None:
    cohort = cohort_with(course, opens=TODAY, learner=learner)
    ModuleSchedule.objects.create(
        cohort=cohort, module=Module.objects.get(course=course, slug="first-steps"),
        release_date=LATER,
    )  # fmt: skip
    html = me.get(QUESTIONS).content.decode()
    assert me.get(QUESTIONS).status_code == 200
    assert f'href="{DATA}"' not in html and 'rel="prev"' not in html


def test_leaving_out_a_closed_next_lesson_keeps_the_query_bound(
    me, learner, course, django_assert_max_num_queries
) -> None:
    cohort_with(course, opens=LATER, learner=learner)
    me.get(DATA)  # renders and caches the lesson
    with django_assert_max_num_queries(11):
        assert "Next module opens" in me.get(DATA).content.decode()


# --- Statuses ---------------------------------------------------------------------------------
CANNOT_START = re.compile(
    r'<div class="govuk-task-list__status govuk-task-list__status--cannot-start-yet"[^>]*>'
    r"\s*Cannot start yet\s*</div>"
)


@pytest.mark.parametrize("url", [COURSE, "/progress/courses/mini-course/"])
def test_lessons_in_a_closed_module_cannot_be_started_yet(me, learner, course, url) -> None:
    cohort_with(course, opens=LATER, learner=learner)
    html = me.get(url).content.decode()
    assert len(CANNOT_START.findall(html)) == 1  # "Questions to ask", the one closed lesson
    questions = html[html.index("Questions to ask") :]
    questions = questions[: questions.index("</li>")]
    assert "Not started" not in questions
    assert f"Opens on {in_words(LATER)}" in questions


def test_open_lessons_keep_their_usual_statuses(me, learner, course) -> None:
    cohort_with(course, opens=TODAY, learner=learner)
    for url in [COURSE, "/progress/courses/mini-course/"]:
        html = me.get(url).content.decode()
        assert not CANNOT_START.search(html)
        assert "Not started" in html
