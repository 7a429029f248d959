"""The navigation's role links: "Cohorts" for admins, facilitators and report viewers of any
cohort, "Marking" for tutors; remembered in the session so that they cost no query on most
pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import context_processors, middleware
from cohorts.models import Cohort
from tests.accounts.factories import UserFactory, give_totp
from tests.courses.factories import CourseFactory

pytestmark = pytest.mark.django_db


def nav_html(client, url: str = "/") -> str:  # type: ignore[no-untyped-def]
    html = client.get(url).content.decode()
    return html[html.index("govuk-service-navigation") : html.index("</header>")]


def cohort_queries(client, url: str = "/") -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return sum("cohorts_cohort" in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def cohort(db):  # type: ignore[no-untyped-def]
    return Cohort.objects.create(
        name="Board", course=CourseFactory(), start_date=datetime.date(2026, 1, 5)
    )


def test_learners_see_their_progress_but_not_cohorts(client, learner) -> None:
    client.force_login(learner)
    nav = nav_html(client)
    assert 'href="/progress/"' in nav and "Your progress" in nav
    assert 'href="/cohorts/"' not in nav


def test_facilitators_and_report_viewers_see_cohorts(client, cohort) -> None:
    facilitator, viewer = UserFactory(), UserFactory()
    cohort.facilitators.add(facilitator)
    give_totp(facilitator)  # as the role requires
    cohort.report_viewers.add(viewer)
    for person in (facilitator, viewer):
        client.force_login(person)
        assert 'href="/cohorts/"' in nav_html(client)


def test_admins_see_cohorts_without_a_query(client, site_admin) -> None:
    client.force_login(site_admin)
    assert 'href="/cohorts/"' in nav_html(client)
    assert cohort_queries(client) == 0


def test_the_answer_is_remembered_for_a_while(client, learner, cohort, monkeypatch) -> None:
    client.force_login(learner)  # checked once at sign-in
    assert cohort_queries(client) == 0
    assert cohort_queries(client, "/progress/") == 0

    cohort.facilitators.add(learner)
    give_totp(learner)  # as the role requires
    assert 'href="/cohorts/"' not in nav_html(client)  # not yet: remembered as no

    later = context_processors.time.time() + context_processors.ROLE_CHECK_SECONDS + 1
    monkeypatch.setattr(context_processors.time, "time", lambda: later)
    assert 'href="/cohorts/"' in nav_html(client)
    assert cohort_queries(client) == 0


def test_an_answer_remembered_for_someone_else_is_not_used(client, learner, cohort) -> None:
    cohort.facilitators.add(learner)
    give_totp(learner)
    client.force_login(learner)
    session = client.session
    session[context_processors.ROLE_SESSION_KEY] = {
        "user": learner.pk + 1000,
        "cohorts": False,
        "marking": False,
    }
    session.save()
    assert 'href="/cohorts/"' in nav_html(client)


def test_checking_again_does_not_extend_the_session(client, learner, monkeypatch) -> None:
    client.force_login(learner)
    client.get("/")
    # (The last activity is written once a minute, for signing out after inactivity; not here.)
    monkeypatch.setattr(middleware, "SEEN_RESOLUTION_SECONDS", 3600)
    later = context_processors.time.time() + context_processors.ROLE_CHECK_SECONDS + 1
    monkeypatch.setattr(context_processors.time, "time", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    sql = [q["sql"] for q in queries.captured_queries]
    assert any("cohorts_cohort" in q for q in sql)  # checked again…
    assert not any(q.startswith(("UPDATE", "INSERT")) and "session" in q for q in sql)  # …unsaved


def marking_queries(client, url: str = "/") -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return sum("auth_group" in q["sql"] and "Tutors" in q["sql"] for q in queries.captured_queries)


def test_tutors_see_marking_remembered_for_a_while(client, learner, monkeypatch) -> None:
    from django.contrib.auth.models import Group

    client.force_login(learner)
    assert 'href="/marking/"' not in nav_html(client)
    assert marking_queries(client) == 0

    learner.groups.add(Group.objects.get_or_create(name="Tutors")[0])
    give_totp(learner)  # as the role requires
    assert 'href="/marking/"' not in nav_html(client)  # not yet: remembered as no
    later = context_processors.time.time() + context_processors.ROLE_CHECK_SECONDS + 1
    monkeypatch.setattr(context_processors.time, "time", lambda: later)
    assert 'href="/marking/"' in nav_html(client)
    assert marking_queries(client) == 0
