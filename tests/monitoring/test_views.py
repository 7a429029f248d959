from datetime import timedelta

import pytest
from django.utils import timezone

from exercises.models import Exercise, State
from monitoring import errors
from monitoring.models import WorkerHeartbeat
from tests.exercises.conftest import MINI_COURSE
from tests.monitoring.factories import make_submission

pytestmark = pytest.mark.django_db


def test_status_page_sends_signed_out_people_to_sign_in(client) -> None:
    response = client.get("/status/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["learner", "author"])
def test_status_page_is_refused_to_non_admins(client, request, persona: str) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/status/").status_code == 403
    assert client.post("/status/").status_code == 403


def test_admins_see_the_services_and_workers(client, site_admin, django_assert_max_num_queries):
    client.force_login(site_admin)
    with django_assert_max_num_queries(9):
        response = client.get("/status/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "System status" in html
    assert "No worker has recorded a heartbeat" in html


@pytest.fixture
def busy_day(learner):
    """Answers marked and waiting, a failure, two workers (one stale), counted errors."""
    from courses import services as course_services

    course = course_services.import_course(path=MINI_COURSE)
    exercise = Exercise.objects.filter(course=course).first()
    now = timezone.now()
    for millis in (100, 200, 300, 400):
        make_submission(
            exercise=exercise,
            learner=learner,
            state=State.GRADED,
            submitted_at=now - timedelta(minutes=20),
            took=timedelta(milliseconds=millis),
        )
    make_submission(exercise=exercise, learner=learner, submitted_at=now - timedelta(minutes=12))
    make_submission(
        exercise=exercise,
        learner=learner,
        state=State.ERROR,
        submitted_at=now - timedelta(minutes=5),
        took=timedelta(seconds=1),
    )
    WorkerHeartbeat.objects.create(hostname="grading@one", last_seen_at=now, tasks_run=9)
    WorkerHeartbeat.objects.create(
        hostname="default@two", last_seen_at=now - timedelta(hours=2), tasks_run=3
    )
    errors.count_server_error()
    errors.count_failed_task()
    errors.count_failed_task()


def test_admins_see_the_figures(client, site_admin, busy_day, django_assert_max_num_queries):
    client.force_login(site_admin)
    # session, user, backlog, latency (a count and three percentiles), workers, failed
    # gradings, and the cache read (a query with the database cache)
    with django_assert_max_num_queries(12):
        response = client.get("/status/")
    assert response.status_code == 200
    html = " ".join(response.content.decode().split())
    for text in [
        "Grading",
        'Answers waiting to be marked</dt> <dd class="govuk-summary-list__value">1<',
        "waiting 12 min",
        'Answers marked</dt> <dd class="govuk-summary-list__value">4<',
        '50th percentile</dt> <dd class="govuk-summary-list__value">200 ms',
        '99th percentile</dt> <dd class="govuk-summary-list__value">400 ms',
        'Answers that could not be marked</dt> <dd class="govuk-summary-list__value">1<',
        'Server errors (5xx answers)</dt> <dd class="govuk-summary-list__value">1<',
        'Failed background tasks</dt> <dd class="govuk-summary-list__value">2<',
        "grading@one",
        "Fresh",
        "default@two",
        "Stale",
    ]:
        assert text in html, text


def test_a_dead_broker_shows_unknown_queues_not_an_error(client, site_admin, broker_down):
    client.force_login(site_admin)
    response = client.get("/status/")
    assert response.status_code == 200
    assert response.content.decode().count("Unknown") >= 3


def test_a_dead_cache_shows_unknown_counts_not_an_error(client, site_admin, broken_cache):
    client.force_login(site_admin)
    response = client.get("/status/")
    assert response.status_code == 200
    assert "unknown" in response.content.decode()


def test_sending_a_heartbeat_with_the_broker_down_says_so(client, site_admin, broker_down):
    client.force_login(site_admin)
    response = client.post("/status/", follow=True)
    assert response.status_code == 200
    assert "could not be sent: the broker is down" in response.content.decode()
