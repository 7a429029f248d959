"""The cohort dashboard, a learner's drill-down, the question analysis and the board report,
for each persona, with private answers, filters, pagination and a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cohorts import presenters
from cohorts.models import Membership
from courses.models import Lesson
from courses.services import mark_lesson_read
from exercises import services as exercise_services
from exercises.models import Exercise
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


# --- Personas and data ----------------------------------------------------------------------
@pytest.fixture
def facilitator(db: None) -> Any:
    return UserFactory(email="facilitator@example.gov.uk", first_name="Fay", last_name="Cilitator")


@pytest.fixture
def other_facilitator(db: None) -> Any:
    """Facilitates a different cohort on the same course."""
    return UserFactory(email="other.facilitator@example.gov.uk")


@pytest.fixture
def report_viewer(db: None) -> Any:
    return UserFactory(email="board@example.gov.uk")


@pytest.fixture
def cohort(course, facilitator, other_facilitator, report_viewer):  # type: ignore[no-untyped-def]
    CohortFactory(course=course, name="Another cohort", facilitators=[other_facilitator])
    return CohortFactory(
        course=course,
        name="Board 1",
        start_date=timezone.localdate() - datetime.timedelta(days=20),
        facilitators=[facilitator],
        report_viewers=[report_viewer],
    )


def join(cohort, user, *, group: str = "") -> Membership:  # type: ignore[no-untyped-def]
    return MembershipFactory(cohort=cohort, learner=user, group=group)


def answer(learner, exercise: Exercise, value: dict[str, Any], *, grade: bool = True) -> None:  # type: ignore[no-untyped-def]
    submission = exercise_services.submit_answer(
        learner=learner, exercise=exercise, answer=value, confidence=None
    )
    if grade:
        exercise_services.grade_submission(submission_id=submission.pk)


def read_all_of_module(learner, course, position: int) -> None:  # type: ignore[no-untyped-def]
    for lesson in Lesson.objects.filter(module__course=course, module__position=position):
        mark_lesson_read(learner=learner, lesson=lesson)


def urls(cohort, membership: Membership, exercise: str = "flaws") -> dict[str, str]:  # type: ignore[no-untyped-def]
    pk = cohort.pk
    return {
        "dashboard": reverse("cohorts:dashboard", kwargs={"cohort": pk}),
        "learner": reverse("cohorts:learner", kwargs={"cohort": pk, "membership": membership.pk}),
        "items": reverse("cohorts:items", kwargs={"cohort": pk}),
        "item": reverse("cohorts:item", kwargs={"cohort": pk, "exercise": exercise}),
        "export_grid": reverse("cohorts:export_grid", kwargs={"cohort": pk}),
        "export_items": reverse("cohorts:export_items", kwargs={"cohort": pk}),
        "report": reverse("cohorts:report", kwargs={"cohort": pk}),
        "export_report": reverse("cohorts:export_report", kwargs={"cohort": pk}),
    }


def url(cohort, name: str, **kwargs: Any) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"cohorts:{name}", kwargs={"cohort": cohort.pk, **kwargs})


def html_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def question_row(html: str, slug: str) -> str:
    """The text of a question's row on the question analysis."""
    found = re.search(rf'data-exercise="{slug}".*?</tr>', html, re.S)
    assert found is not None, slug
    return text_of(found.group(0))


def text_of(html: str) -> str:
    """The page's text with tags removed and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def grid_rows(html: str) -> dict[str, list[str]]:
    """The dashboard grid as {learner name: [status, last active, figure, figure, ...]}."""
    body = html.split('<tbody class="govuk-table__body">')
    rows: dict[str, list[str]] = {}
    grid = next(part for part in body[1:] if "data-membership" in part.split("</tbody>")[0])
    for row in re.findall(r"<tr class=\"govuk-table__row\" data-membership.*?</tr>", grid, re.S):
        cells = [text_of(c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        name = text_of(re.search(r"<a [^>]*>(.*?)</a>", row, re.S).group(1)).strip()  # type: ignore[union-attr]
        rows[name] = cells[1:]
    return rows


# --- Access ---------------------------------------------------------------------------------
FACILITATOR_PAGES = ("dashboard", "learner", "items", "item", "export_grid", "export_items")
REPORT_PAGES = ("report", "export_report")


def test_signed_out_visitors_are_sent_to_sign_in(client, cohort, learner) -> None:
    member = join(cohort, learner)
    for name, url in urls(cohort, member).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/"), name


@pytest.mark.parametrize("persona", ["site_admin", "facilitator"])
def test_admins_and_the_cohorts_facilitators_see_every_page(
    client, request, persona, cohort, learner
) -> None:
    member = join(cohort, learner)
    client.force_login(request.getfixturevalue(persona))
    for name, url in urls(cohort, member).items():
        assert client.get(url).status_code == 200, name


def test_a_report_viewer_sees_only_the_report(client, cohort, report_viewer, learner) -> None:
    member = join(cohort, learner)
    client.force_login(report_viewer)
    for name, url in urls(cohort, member).items():
        expected = 200 if name in REPORT_PAGES else 404
        assert client.get(url).status_code == expected, name
    html = html_of(client, urls(cohort, member)["report"])
    assert learner.email not in html and "Alex" not in html
    assert f'href="{reverse("cohorts:dashboard", kwargs={"cohort": cohort.pk})}"' not in html


@pytest.mark.parametrize("persona", ["other_facilitator", "learner", "author"])
def test_everyone_else_gets_not_found(client, request, persona, cohort, other_learner) -> None:
    member = join(cohort, other_learner)
    user = request.getfixturevalue(persona)
    if persona == "learner":
        join(cohort, user)  # a member of the cohort is no facilitator
    client.force_login(user)
    for name, url in urls(cohort, member).items():
        assert client.get(url).status_code == 404, name


def test_a_member_or_question_of_another_cohort_or_course_is_not_found(
    client, cohort, facilitator, learner, other_facilitator
) -> None:
    elsewhere = join(other_facilitator.facilitated_cohorts.get(), learner)
    client.force_login(facilitator)
    assert client.get(urls(cohort, elsewhere)["learner"]).status_code == 404
    Exercise.objects.create(
        course=CourseFactory(), slug="only-elsewhere", title="Elsewhere", kind="numeric",
        prompt="?", explanation="!",
    )  # fmt: skip
    for slug in ("only-elsewhere", "no-such-question"):
        assert client.get(urls(cohort, elsewhere, exercise=slug)["item"]).status_code == 404
    assert client.get("/cohorts/999999/").status_code == 404


def test_pages_only_accept_safe_methods(client, cohort, facilitator, learner) -> None:
    member = join(cohort, learner)
    client.force_login(facilitator)
    for name, url in urls(cohort, member).items():
        assert client.post(url).status_code == 405, name


# --- The dashboard --------------------------------------------------------------------------
def test_the_grid_shows_completion_and_mastery_per_module(
    client, cohort, course, facilitator, learner, exercise_named
) -> None:
    """Mini course: module 1 has 2 lessons and no questions; module 2 has 1 lesson and 2
    questions (flaws, wet-years); 8 questions in all, so the course has 3 + 8 = 11 items.

    The learner reads both lessons of module 1 (module 1: 2/2 = 100% done, mastery "–"),
    reads module 2's lesson and answers "flaws" right (module 2: 2 of 3 items = 67% done,
    1 of 2 questions right = 50%), and answers "flow-1871" (in no lesson) wrong.
    Course: 3 lessons + 2 answers = 5 of 11 = 45% done; 1 of 8 right = 12.5% → 12%.
    """
    join(cohort, learner, group="HM Treasury")
    read_all_of_module(learner, course, 1)
    read_all_of_module(learner, course, 2)
    answer(learner, exercise_named("flaws"), {"choices": [0, 2]})
    answer(learner, exercise_named("flow-1871"), {"value": 900})
    join(cohort, UserFactory(first_name="Nadia", last_name="Idle"))
    MembershipFactory(cohort=cohort, email="pending@example.gov.uk")

    client.force_login(facilitator)
    html = html_of(client, url(cohort, "dashboard"))
    rows = grid_rows(html)
    assert rows["Alex Learner"] == [
        "On track",
        rows["Alex Learner"][1],
        "45%",
        "12%",
        "100%",
        "–",
        "67%",
        "50%",
    ]
    assert rows["Alex Learner"][1] == timezone.localdate().strftime("%-d %b %Y")
    assert rows["Nadia Idle"][2:] == ["0%", "0%", "0%", "–", "0%", "0%"]
    assert rows["pending@example.gov.uk"] == ["Not joined yet", "–"] + ["–"] * 6
    text = text_of(html)
    assert "Cohort completion over time" in text
    assert "HM Treasury" in text
    for link in ("items", "report", "export_grid"):
        assert reverse(f"cohorts:{link}", kwargs={"cohort": cohort.pk}) in html
    assert reverse("cohorts:learners", kwargs={"cohort": cohort.pk}) in html


def test_headline_counts_by_status(client, cohort, facilitator, learner, other_learner) -> None:
    join(cohort, learner)
    join(cohort, other_learner)
    MembershipFactory(cohort=cohort)
    client.force_login(facilitator)
    text = text_of(html_of(client, url(cohort, "dashboard")))
    assert "On track 2" in text
    assert "Not joined yet 1" in text
    assert "Everyone invited 3" in text


def test_the_chart_averages_lessons_read_by_week(
    client, cohort, course, facilitator, learner, other_learner
) -> None:
    """Two joined learners, 3 lessons: one read all 3 today, so the cohort has read
    3 / (2 × 3) = 50% by the last week, and 0% in the earlier weeks."""
    join(cohort, learner)
    join(cohort, other_learner)
    for position in (1, 2):
        read_all_of_module(learner, course, position)
    client.force_login(facilitator)
    response = client.get(url(cohort, "dashboard"))
    chart = response.context["chart"]
    weeks = [row[1] for row in chart.table.rows]
    assert weeks[-1] == "50"
    assert set(weeks[:-1]) == {"0"}
    assert len(weeks) == 3  # 20 days since the start: weeks ending on days 6, 13 and today
    assert "read 50% of the course's lessons on average" in chart.summary
    html = response.content.decode()
    assert 'data-chart-figure="cohort-completion-figure"' in html
    assert 'id="cohort-completion-figure" type="application/json"' in html


def test_filters_by_status_group_and_name(
    client, cohort, facilitator, learner, other_learner
) -> None:
    join(cohort, learner, group="Home Office")
    join(cohort, other_learner, group="HM Treasury")
    MembershipFactory(cohort=cohort, email="waiting@example.gov.uk")
    client.force_login(facilitator)
    dashboard = url(cohort, "dashboard")
    assert set(grid_rows(html_of(client, dashboard + "?status=invited"))) == {
        "waiting@example.gov.uk"
    }
    assert set(grid_rows(html_of(client, dashboard + "?group=Home+Office"))) == {"Alex Learner"}
    assert set(grid_rows(html_of(client, dashboard + "?group=__none__"))) == {
        "waiting@example.gov.uk"
    }
    assert set(grid_rows(html_of(client, dashboard + "?q=alex+LEARNER"))) == {"Alex Learner"}
    assert set(grid_rows(html_of(client, dashboard + "?q=other.learner%40"))) == {
        str(other_learner)
    }
    html = html_of(client, dashboard + "?q=nobody")
    assert "No learners match these filters" in html


def test_the_module_filter_shows_one_modules_columns(
    client, cohort, course, facilitator, learner
) -> None:
    join(cohort, learner)
    second = course.modules.get(position=2)
    client.force_login(facilitator)
    html = html_of(client, url(cohort, "dashboard") + f"?module={second.pk}")
    assert len(grid_rows(html)["Alex Learner"]) == 2 + 2 + 2  # status, date, course, module 2
    assert '<th scope="colgroup" colspan="2" class="govuk-table__header">Next steps</th>' in html
    assert (
        '<th scope="colgroup" colspan="2" class="govuk-table__header">First steps</th>' not in html
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=asleep", "Select a status from the list"),
        ("group=Nowhere", "Select a group from the list"),
        ("module=999999", "Select a module from the list"),
        ("module=first", "Select a module from the list"),
        ("q=" + "x" * 101, "Enter 100 characters or fewer"),
        ("q=a%00b", "Null characters are not allowed"),
    ],
)
def test_bad_filters_are_shown_as_errors(
    client, cohort, facilitator, learner, query, message
) -> None:
    join(cohort, learner)
    client.force_login(facilitator)
    response = client.get(url(cohort, "dashboard") + "?" + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html and message in html
    assert "Alex Learner" in html  # the unfiltered list is still shown
    assert client.get(url(cohort, "export_grid") + "?" + query).status_code == 400


def test_pages_of_fifty_learners_keep_the_filters(client, cohort, facilitator) -> None:
    for n in range(55):
        join(cohort, UserFactory(first_name="Learner", last_name=f"{n:03d}"), group="DfE")
    client.force_login(facilitator)
    dashboard = url(cohort, "dashboard")
    first = html_of(client, dashboard + "?group=DfE")
    assert len(grid_rows(first)) == 50
    assert "Showing 1 to 50 of 55 matching learners" in text_of(first)
    assert 'href="?group=DfE&amp;page=2#learners" rel="next"' in first
    assert 'aria-current="page">1</a>' in first
    second = html_of(client, dashboard + "?group=DfE&page=2")
    assert sorted(grid_rows(second)) == [f"Learner {n:03d}" for n in range(50, 55)]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    for bad in ("abc", "-1", "999", "1.5", "9" * 30):
        assert client.get(dashboard + f"?page={bad}").status_code == 200, bad


@pytest.mark.parametrize(
    ("current", "last", "numbers"),
    [
        (1, 1, [1]),
        (1, 2, [1, 2]),
        (1, 9, [1, 2, None, 9]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (3, 9, [1, 2, 3, 4, None, 9]),
        (9, 9, [1, None, 8, 9]),
    ],
)
def test_page_numbers_follow_the_govuk_pattern(current: int, last: int, numbers: list) -> None:  # type: ignore[type-arg]
    assert presenters.page_numbers(current=current, last=last) == numbers


def test_pagination_keeps_a_plain_mapping_of_parameters(cohort) -> None:
    """The learners page passes its search as a dict; the dashboard, the query string."""
    from django.core.paginator import Paginator

    page = Paginator(list(range(120)), 50).get_page(2)
    links = presenters.pagination(page=page, query={"q": "a b"})
    assert links is not None
    assert (links.previous_url, links.next_url) == ("?q=a+b&page=1", "?q=a+b&page=3")
    assert [link.number for link in links.links] == [1, 2, 3]
    assert presenters.pagination(page=Paginator([1], 50).get_page(1), query={}) is None


@pytest.mark.parametrize(
    ("page", "current"),
    [("dashboard", "Progress"), ("items", "Question analysis"), ("report", "Board report")],
)
def test_the_cohorts_tabs_mark_the_page_shown(client, cohort, facilitator, page, current) -> None:
    client.force_login(facilitator)
    html = html_of(client, url(cohort, page))
    nav = html.split('aria-label="This cohort"')[1].split("</nav>")[0]
    marked = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', nav)
    assert marked == [current]
    assert nav.count("<a ") == 4
    assert "<strong>" not in nav


def test_the_dashboard_costs_the_same_queries_for_3_or_60_learners(
    client, cohort, course, facilitator, exercise_named, django_assert_max_num_queries
) -> None:
    client.force_login(facilitator)
    dashboard = url(cohort, "dashboard")

    def add_learners(count: int) -> None:
        for n in range(count):
            user = UserFactory(answers_private=n % 7 == 0)
            join(cohort, user, group=f"Group {n % 4}")
            read_all_of_module(user, course, 1 + n % 2)
            answer(user, exercise_named("flaws"), {"choices": [0] if n % 3 else [0, 2]})
        MembershipFactory(cohort=cohort)

    add_learners(3)
    client.get(dashboard)  # warm the session and caches
    bound = 16
    with django_assert_max_num_queries(bound) as small:
        assert client.get(dashboard + "?status=on_track").status_code == 200
    add_learners(57)
    with django_assert_max_num_queries(bound) as large:
        response = client.get(dashboard + "?status=on_track")
    assert response.status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(grid_rows(response.content.decode())) == 50


# --- Private answers ------------------------------------------------------------------------
def test_private_answers_hide_mastery_but_not_completion(
    client, cohort, course, facilitator, learner, exercise_named
) -> None:
    learner.answers_private = True
    learner.save()
    join(cohort, learner)
    read_all_of_module(learner, course, 2)
    answer(learner, exercise_named("flaws"), {"choices": [0, 2]})
    client.force_login(facilitator)
    rows = grid_rows(html_of(client, url(cohort, "dashboard")))
    # 1 lesson + 1 answer of 11 items = 18%; module 2: 2 of 3 = 67%.
    assert rows["Alex Learner"][2:] == ["18%", "Private", "0%", "Private", "67%", "Private"]


def test_the_drill_down_shows_answers_and_records_that_they_were_seen(
    client, cohort, course, facilitator, learner, exercise_named
) -> None:
    member = join(cohort, learner, group="Cabinet Office")
    answer(learner, exercise_named("flaws"), {"choices": [1]})
    answer(learner, exercise_named("flaws"), {"choices": [0, 2]})
    answer(learner, exercise_named("lowest-year"), {"choice": 0})
    client.force_login(facilitator)
    text = text_of(html_of(client, urls(cohort, member)["learner"]))
    assert "Alex Learner" in text and "Cabinet Office" in text
    assert "The bars use the wrong units" in text  # the first, wrong answer
    assert "It shows only three of the five years; Three years are too few to show a trend" in text
    assert "2 answers to What is wrong with the bars?" in text
    assert "1872" in text  # the wrong choice, as the option's text
    event = AuditEvent.objects.get(action="viewed_learner_answers")
    assert event.actor == facilitator
    assert event.details == {"cohort": cohort.pk, "membership": member.pk, "learner": learner.pk}


def test_the_drill_down_of_a_private_learner_shows_no_answers(
    client, cohort, course, facilitator, learner, exercise_named
) -> None:
    learner.answers_private = True
    learner.save()
    member = join(cohort, learner)
    answer(learner, exercise_named("flaws"), {"choices": [1]})
    read_all_of_module(learner, course, 1)
    client.force_login(facilitator)
    html = html_of(client, urls(cohort, member)["learner"])
    text = text_of(html)
    assert "keeps their practice answers private" in text
    assert "The bars use the wrong units" not in text
    assert "Best score" not in text and "Not yet right" not in text
    assert "Course mastery Private" in text
    assert "First steps 100% Private" in text
    assert not AuditEvent.objects.filter(action="viewed_learner_answers").exists()


def test_the_drill_down_of_someone_not_yet_joined(client, cohort, facilitator) -> None:
    member = MembershipFactory(cohort=cohort, email="soon@example.gov.uk")
    client.force_login(facilitator)
    text = text_of(html_of(client, urls(cohort, member)["learner"]))
    assert "has not joined yet" in text
    assert not AuditEvent.objects.filter(action="viewed_learner_answers").exists()


# --- Question analysis ----------------------------------------------------------------------
def test_the_question_analysis_shows_facility_cautions_and_wrong_answers(
    client, cohort, facilitator, exercise_named
) -> None:
    """Six learners answer "lowest-year" (right answer: option 1, "1873"): four choose
    "1872" (option 0) and two "1873". Facility 2/6 = 33%, with a caution (6 < 20). Five
    write the same wrong query for "wet-years": one different answer, never shown as text."""
    lowest = exercise_named("lowest-year")
    for choice in (0, 0, 0, 0, 1, 1):
        user = UserFactory()
        join(cohort, user)
        answer(user, lowest, {"choice": choice})
    for _ in range(5):
        writer = UserFactory()
        join(cohort, writer)
        answer(writer, exercise_named("wet-years"), {"query": "SELECT year FROM nile_sample"})
    client.force_login(facilitator)
    html = html_of(client, url(cohort, "items"))
    row = re.search(r'data-exercise="lowest-year".*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    text = text_of(row)
    assert "33%" in text
    assert "Based on 6 learners: treat with caution" in text
    assert "1872 (4)" in text
    wet = text_of(re.search(r'data-exercise="wet-years".*?</tr>', html, re.S).group(0))  # type: ignore[union-attr]
    assert "1 different answer" in wet and "SELECT" not in wet

    detail = text_of(html_of(client, url(cohort, "item", exercise="lowest-year")))
    assert "33% (2 of 6)" in detail
    assert "1872 4 100%" in detail
    assert "Based on 6 learners: treat with caution" in detail
    sql_detail = text_of(html_of(client, url(cohort, "item", exercise="wet-years")))
    assert "5 wrong answers: 1 different answer" in sql_detail
    assert "SELECT year FROM nile_sample " not in sql_detail.replace(
        "SELECT year FROM nile_sample WHERE", ""
    )


WITHHELD = "Fewer than 5 learners have answered: figures are shown from 5"


def test_a_question_too_few_learners_answered_shows_no_figures(
    client, cohort, facilitator, exercise_named
) -> None:
    """A learner who keeps their answers private is the only one to answer "flow-1871", with
    42: "0 of 1 right" and the wrong answer "42" would tell the facilitator how they did. No
    figure, wrong answer or order is shown for the question until 5 learners have answered;
    from 5 (and below 20), the figures show with a caution."""
    flow = exercise_named("flow-1871")
    private = UserFactory(answers_private=True)
    join(cohort, private)
    answer(private, flow, {"value": 42})
    client.force_login(facilitator)

    row = question_row(html_of(client, url(cohort, "items")), "flow-1871")
    assert "fewer than 5" in row and WITHHELD in row
    assert "42" not in row and "0%" not in row and "treat with caution" not in row
    detail = text_of(html_of(client, url(cohort, "item", exercise="flow-1871")))
    assert WITHHELD in detail
    assert "Wrong answers are shown once 5 learners have answered" in detail
    assert "42" not in detail.split("The question")[0]
    assert "0 of 1" not in detail and "0%" not in detail

    for value in (900, 950, 1000, 42):
        user = UserFactory()
        join(cohort, user)
        answer(user, flow, {"value": value})
    row = question_row(html_of(client, url(cohort, "items")), "flow-1871")
    assert WITHHELD not in row
    assert "Based on 5 learners: treat with caution" in row
    assert "42 (2)" in row


def test_answers_waiting_for_a_tutor_are_not_counted_as_wrong(
    client, cohort, facilitator, exercise_named
) -> None:
    """Seven learners write an answer to "what-is-noise"; a tutor has marked five (four
    right: 2 of 3 points; one wrong: 1 of 3) and two are waiting. Among the marked answers
    the facility is 4/5 = 80%; counting the two waiting as wrong would give 4/7 = 57%."""
    noise = exercise_named("what-is-noise")
    for n, points in enumerate([[2, 0], [2, 0], [2, 1], [2, 0], [0, 1], None, None]):
        user = UserFactory()
        join(cohort, user)
        submission = exercise_services.submit_answer(
            learner=user, exercise=noise, answer={"text": f"Answer {n}"}, confidence=None
        )
        if points is not None:
            exercise_services.mark_written_answer(
                submission=submission, tutor=facilitator, points=points, comment=""
            )
    client.force_login(facilitator)
    row = question_row(html_of(client, url(cohort, "items")), "what-is-noise")
    assert "80%" in row and "57%" not in row
    assert "Based on 5 learners" in row
    detail = text_of(html_of(client, url(cohort, "item", exercise="what-is-noise")))
    assert "80% (4 of 5)" in detail


def test_the_question_analysis_puts_the_hardest_questions_first(
    client, cohort, exercise_named, facilitator
) -> None:
    """In module 2, "wet-years" is answered right by both learners (100%) and "flaws" by one
    of two (50%): "flaws" comes first."""
    for choices in ([0, 2], [1]):
        user = UserFactory()
        join(cohort, user)
        answer(user, exercise_named("flaws"), {"choices": choices})
        answer(
            user,
            exercise_named("wet-years"),
            {"query": "SELECT year FROM nile_sample WHERE volume > 1150"},
        )
    client.force_login(facilitator)
    html = html_of(client, url(cohort, "items"))
    assert html.index('data-exercise="flaws"') < html.index('data-exercise="wet-years"')
    assert html.index("Next steps") < html.index("Questions outside the lessons")


# --- The board report -----------------------------------------------------------------------
def test_the_report_hides_small_groups_and_what_would_reveal_them(
    client, cohort, course, report_viewer
) -> None:
    """Groups: Treasury 6, Home Office 5, Cabinet Office 2 (too small). Everything about the
    Cabinet Office is hidden; so are the Home Office's learners (the next smallest group) and
    average completion, or the Cabinet Office's could be worked out from the totals."""
    for group, size in (("HM Treasury", 6), ("Home Office", 5), ("Cabinet Office", 2)):
        for n in range(size):
            user = UserFactory()
            join(cohort, user, group=group)
            if n % 2:
                read_all_of_module(user, course, 1)
    client.force_login(report_viewer)
    text = text_of(html_of(client, url(cohort, "report")))
    assert "Cabinet Office fewer than 5 hidden hidden hidden hidden hidden" in text
    assert re.search(r"Home Office hidden \S+ \S+ \S+ hidden hidden", text)
    assert re.search(r"HM Treasury 6 \S+ \S+ \S+ \d+% \d+%", text)
    # 6 learners of 13 read the 2 lessons of module 1: 12 of 13 × 11 items = 8%.
    assert "All learners 13 13 0 0 8% 0%" in text
    assert "To protect individuals" in text
    assert "Average completion by module" in text


def test_the_whole_report_is_hidden_for_a_cohort_under_five(client, cohort, report_viewer) -> None:
    for _ in range(3):
        join(cohort, UserFactory(), group="HM Treasury")
    client.force_login(report_viewer)
    text = text_of(html_of(client, url(cohort, "report")))
    assert "All learners fewer than 5 hidden hidden hidden hidden hidden" in text
    assert "HM Treasury fewer than 5" in text


def test_a_question_on_each_learners_own_data_says_so(client, cohort, facilitator) -> None:
    client.force_login(facilitator)
    text = text_of(html_of(client, url(cohort, "item", exercise="flow-by-year")))
    assert "What was the flow in …?" in text
    assert "Each learner is asked about a different value" in text
    assert "{value}" not in text


@pytest.mark.parametrize(
    ("before", "now", "words"),
    [(40.0, 50.0, "up from 40%"), (50.0, 50.0, "the same as a week earlier"),
     (50.0, 45.0, "down from 50%")],
)  # fmt: skip
def test_the_completion_chart_summary_says_which_way_it_moved(before, now, words) -> None:
    from cohorts.presenters.chart import completion_chart

    chart = completion_chart(
        points=[(datetime.date(2026, 11, 16), before), (datetime.date(2026, 11, 23), now)]
    )
    assert chart is not None and words in chart.summary


def test_completion_over_time_is_counted_in_whole_weeks_back_from_today(
    cohort, learner, other_learner
) -> None:
    from cohorts import reports

    today = timezone.localdate()
    cohort.start_date = today - datetime.timedelta(days=16)
    join(cohort, learner)
    join(cohort, other_learner)
    lessons = list(Lesson.objects.filter(module__course=cohort.course))
    mark_lesson_read(learner=learner, lesson=lessons[0])
    mark_lesson_read(learner=learner, lesson=lessons[1])
    mark_lesson_read(learner=other_learner, lesson=lessons[0])
    read_on = {lessons[0]: 10, lessons[1]: 3}  # days ago
    for lesson, days in read_on.items():
        lesson.completions.update(completed_at=timezone.now() - datetime.timedelta(days=days))

    points = reports.completion_over_time(
        cohort=cohort, lessons_total=len(lessons), joined=2, today=today
    )
    # Weeks end today, 7 and 14 days ago: two learners x 3 lessons = 6 possible readings.
    assert points == [
        (today - datetime.timedelta(days=14), 0.0),
        (today - datetime.timedelta(days=7), round(100 * 2 / 6, 1)),
        (today, round(100 * 3 / 6, 1)),
    ]
