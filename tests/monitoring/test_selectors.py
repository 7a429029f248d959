from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from exercises.models import Exercise, State
from masterclass.celery import app as celery_app
from monitoring import errors, selectors
from monitoring.models import WorkerHeartbeat
from monitoring.tasks import record_heartbeat
from tests.exercises.conftest import MINI_COURSE
from tests.monitoring.factories import make_submission

pytestmark = pytest.mark.django_db

S = timedelta(seconds=1)


@pytest.fixture
def exercise(db) -> Exercise:
    from courses import services as course_services

    course = course_services.import_course(path=MINI_COURSE)
    return Exercise.objects.filter(course=course).first()


@pytest.fixture
def now():
    return timezone.now()


class TestGradingLatency:
    def test_percentiles_are_nearest_rank_over_the_last_hour(self, exercise, learner, now):
        for seconds in range(1, 21):  # 1 s to 20 s
            make_submission(
                exercise=exercise,
                learner=learner,
                state=State.GRADED,
                submitted_at=now - timedelta(minutes=30),
                took=seconds * S,
            )
        latency = selectors.grading_latency(now=now)
        assert latency.graded == 20
        assert latency.percentiles == {50: 10 * S, 95: 19 * S, 99: 20 * S}

    def test_leaves_out_old_regraded_and_tutor_marked_answers(
        self, exercise, learner, site_admin, now
    ):
        def graded(**fields):
            return make_submission(exercise=exercise, learner=learner, state=State.GRADED, **fields)

        graded(submitted_at=now - timedelta(minutes=10), took=2 * S)  # counts
        graded(submitted_at=now - timedelta(hours=3), took=5 * S)  # graded two hours ago
        graded(submitted_at=now - timedelta(minutes=10), took=60 * S, grading_runs=2)  # regrade
        graded(
            submitted_at=now - timedelta(minutes=10), took=90 * S, grading_runs=0, tutor=site_admin
        )
        make_submission(  # not graded
            exercise=exercise, learner=learner, state=State.PENDING, submitted_at=now
        )
        latency = selectors.grading_latency(now=now)
        assert latency.graded == 1
        assert latency.percentiles == {50: 2 * S, 95: 2 * S, 99: 2 * S}

    def test_no_answers_no_percentiles(self, now):
        latency = selectors.grading_latency(now=now)
        assert latency.graded == 0
        assert latency.percentiles == {50: None, 95: None, 99: None}

    def test_query_count_does_not_grow_with_the_answers(
        self, exercise, learner, now, django_assert_max_num_queries
    ):
        for seconds in range(50):
            make_submission(
                exercise=exercise,
                learner=learner,
                state=State.GRADED,
                submitted_at=now - timedelta(minutes=5),
                took=seconds * S,
            )
        with django_assert_max_num_queries(4):
            assert selectors.grading_latency(now=now).graded == 50


def test_backlog_counts_waiting_answers_and_ages_the_oldest(exercise, learner, now):
    make_submission(exercise=exercise, learner=learner, submitted_at=now - timedelta(minutes=7))
    make_submission(
        exercise=exercise, learner=learner, state=State.GRADING, submitted_at=now - 2 * S
    )
    make_submission(
        exercise=exercise,
        learner=learner,
        state=State.GRADED,
        submitted_at=now - timedelta(hours=1),
        took=S,
    )
    backlog = selectors.submission_backlog(now=now)
    assert backlog.waiting == 2
    assert backlog.oldest_age == timedelta(minutes=7)


def test_backlog_when_nothing_waits(now):
    backlog = selectors.submission_backlog(now=now)
    assert (backlog.waiting, backlog.oldest_submitted_at, backlog.oldest_age) == (0, None, None)


def test_error_counts_add_failed_gradings_and_the_counters(exercise, learner, now):
    make_submission(exercise=exercise, learner=learner, state=State.ERROR, submitted_at=now, took=S)
    make_submission(  # failed more than an hour ago
        exercise=exercise,
        learner=learner,
        state=State.ERROR,
        submitted_at=now - timedelta(hours=2),
        took=S,
    )
    errors.count_error(kind=errors.SERVER_ERRORS, now=now)
    errors.count_error(kind=errors.SERVER_ERRORS, now=now - timedelta(minutes=59))
    errors.count_error(kind=errors.SERVER_ERRORS, now=now - timedelta(minutes=61))  # too old
    errors.count_error(kind=errors.FAILED_TASKS, now=now - timedelta(minutes=30))
    counts = selectors.error_counts(now=now)
    assert (counts.failed_gradings, counts.server_errors, counts.failed_tasks) == (1, 2, 1)


def test_error_counts_are_unknown_when_the_cache_is_down(broken_cache, now):
    counts = selectors.error_counts(now=now)
    assert (counts.failed_gradings, counts.server_errors, counts.failed_tasks) == (0, None, None)


def test_workers_are_stale_after_three_missed_heartbeats(now):
    interval = selectors.heartbeat_interval()
    WorkerHeartbeat.objects.create(hostname="fresh@a", last_seen_at=now - 3 * interval)
    WorkerHeartbeat.objects.create(hostname="stale@b", last_seen_at=now - 3 * interval - S)
    WorkerHeartbeat.objects.create(hostname="gone@c", last_seen_at=now - timedelta(days=2))
    workers = selectors.worker_statuses(now=now)
    assert [(w.hostname, w.stale) for w in workers] == [("fresh@a", False), ("stale@b", True)]


def test_heartbeat_interval_follows_the_setting(settings):
    settings.WORKER_HEARTBEAT_SECONDS = 20
    assert selectors.heartbeat_interval() == timedelta(seconds=20)


def test_queue_names_come_from_settings():
    assert selectors.queue_names() == {
        "grading": settings.GRADING_QUEUE,
        "default": settings.CELERY_TASK_DEFAULT_QUEUE,
        "email": settings.EMAIL_QUEUE,
    }


@pytest.fixture
def empty_queues():
    def purge():
        with celery_app.connection_for_write() as connection:
            for name in selectors.queue_names().values():
                connection.default_channel.queue_purge(name)

    purge()
    yield
    purge()


def test_queue_depths_count_messages_waiting_on_the_broker(empty_queues):
    """No worker runs here, so what is sent stays on the broker (Redis or the folder)."""
    for _ in range(3):
        record_heartbeat.delay()
    record_heartbeat.apply_async(queue=settings.GRADING_QUEUE)
    status = selectors.system_status()
    assert status.queues == {"grading": 1, "default": 3, "email": 0}


def test_queue_depths_are_unknown_when_the_broker_is_down(broker_down):
    assert selectors.system_status().queues == {"grading": None, "default": None, "email": None}


def test_system_status_makes_a_bounded_number_of_queries(
    exercise, learner, now, django_assert_max_num_queries
):
    for seconds in range(30):
        make_submission(
            exercise=exercise,
            learner=learner,
            state=State.GRADED,
            submitted_at=now - timedelta(minutes=5),
            took=seconds * S,
        )
    make_submission(exercise=exercise, learner=learner, submitted_at=now)
    WorkerHeartbeat.objects.create(hostname="w@a", last_seen_at=now)
    # backlog 1, latency 4, workers 1, failed gradings 1, and the cache read (a query with the
    # database cache; none with Redis)
    with django_assert_max_num_queries(8):
        status = selectors.system_status(now=now)
    assert status.latency.graded == 30
    assert status.backlog.waiting == 1
    assert status.fresh_workers == 1
