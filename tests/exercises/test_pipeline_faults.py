"""Faults in the grading pipeline: a worker killed mid-batch, the broker gone while learners
submit. Each test runs its own worker processes."""

import shutil
import socket
import subprocess
import time

import pytest

from exercises import services
from exercises.models import Exercise, State, Submission
from masterclass.celery import app as celery_app
from masterclass.processes import free_port
from progress.models import ExerciseProgress
from tests.accounts.factories import UserFactory
from tests.conftest import Worker, empty_embedded_broker, use_broker, wait_until
from tests.exercises.conftest import MINI_COURSE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SQL_RIGHT = "SELECT year FROM nile_sample WHERE volume > 1150"


@pytest.fixture
def course(transactional_db):  # type: ignore[no-untyped-def]
    from courses import services as course_services

    return course_services.import_course(path=MINI_COURSE)


def sweep_until_all_graded(count: int, timeout: float = 120) -> None:
    def done() -> bool:
        services.sweep_submissions()
        return Submission.objects.filter(state=State.GRADED).count() == count

    wait_until(done, timeout=timeout, interval=0.5)


def submit_many(exercise: Exercise, count: int) -> list[int]:
    ids = []
    for learner in UserFactory.create_batch(count):
        submission = services.submit_answer(
            learner=learner, exercise=exercise, answer={"value": 1120}, confidence=None
        )
        ids.append(submission.pk)
    return ids


def test_a_worker_killed_mid_batch_loses_nothing(course, tmp_path, settings):
    settings.GRADING_RESEND_AFTER_SECONDS = 2
    empty_embedded_broker()
    exercise = Exercise.objects.get(slug="wet-years")  # SQL: the slowest kind to grade
    ids = []
    for learner in UserFactory.create_batch(120):
        ids.append(services.submit_answer(
            learner=learner, exercise=exercise, answer={"query": "SELECT year FROM nile_sample WHERE volume > 1150"},
            confidence=None,
        ).pk)  # fmt: skip
    # Started once every answer waits on the broker, so that it is killed mid-batch however
    # fast it grades.
    first = Worker(tmp_path).start()
    wait_until(lambda: Submission.objects.filter(state=State.GRADED).count() >= 5, timeout=60)
    first.kill()
    unfinished = Submission.objects.exclude(state=State.GRADED).count()
    assert unfinished > 0, "the worker finished before it could be killed: make the batch bigger"
    second = Worker(tmp_path).start()
    try:
        sweep_until_all_graded(len(ids))
    finally:
        second.stop()
    rows = Submission.objects.filter(pk__in=ids)
    assert {(s.state, s.correct) for s in rows} == {(State.GRADED, True)}
    # One stored result each: a grading killed mid-way rolled back (storing counts the run),
    # and a second delivery of the same answer found it graded and did nothing.
    assert set(rows.values_list("grading_runs", flat=True)) == {1}


@pytest.fixture
def private_redis(tmp_path):  # type: ignore[no-untyped-def]
    """A Redis of the test's own on a free port, keeping nothing on disk: (port, start, stop)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("These tests need redis-server: apt-get install redis-server")
    port = free_port()
    running: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        with open(tmp_path / "redis.log", "ab") as log:
            running.append(subprocess.Popen(
                [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(tmp_path)],
                stdout=log, stderr=log,
            ))  # fmt: skip
        wait_until(lambda: _answers(port), timeout=10)

    def stop() -> None:
        """SIGKILL, as when its machine dies: whatever it held is gone."""
        while running:
            process = running.pop()
            process.kill()
            process.wait()
        wait_until(lambda: not _answers(port), timeout=10)

    start()
    yield port, start, stop
    stop()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_redis_down_while_learners_submit_loses_nothing(
    course, tmp_path, private_redis, monkeypatch
):
    port, start_redis, stop_redis = private_redis
    url = f"redis://127.0.0.1:{port}/0"
    use_broker(url, monkeypatch)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options",
                        {"visibility_timeout": 3600, "socket_connect_timeout": 1, "socket_timeout": 2})  # fmt: skip
    worker = Worker(tmp_path, REDIS_URL=url).start()
    try:
        exercise = Exercise.objects.get(slug="flow-1871")
        before = submit_many(exercise, 10)
        wait_until(
            lambda: Submission.objects.filter(pk__in=before, state=State.GRADED).count() == 10
        )

        stop_redis()
        started = time.monotonic()
        during = submit_many(exercise, 4)
        per_submit = (time.monotonic() - started) / 4
        assert per_submit < 10, f"submitting took {per_submit:.1f} s each with the broker down"
        assert (
            Submission.objects.filter(
                pk__in=during, state=State.PENDING, sent_at__isnull=True
            ).count()
            == 4
        )

        start_redis()
        after = submit_many(exercise, 5)
        sweep_until_all_graded(19)
    finally:
        worker.stop()
    everything = Submission.objects.filter(pk__in=before + during + after)
    assert {(s.state, s.correct, s.grading_runs) for s in everything} == {(State.GRADED, True, 1)}


def test_worker_killed_and_redis_restarted_grades_every_answer_once(
    course, tmp_path, private_redis, monkeypatch, settings
):
    """The worst of both: the worker dies mid-batch and the broker comes back empty. Only the
    sweeper knows what is left; each answer is still graded exactly once and counted once."""
    port, start_redis, stop_redis = private_redis
    url = f"redis://127.0.0.1:{port}/0"
    use_broker(url, monkeypatch)
    settings.GRADING_RESEND_AFTER_SECONDS = 1
    exercise = Exercise.objects.get(slug="wet-years")  # SQL: the slowest kind to grade
    learners = UserFactory.create_batch(40)
    ids = []
    for query in ("SELECT year FROM nile_sample WHERE volume > 1000", SQL_RIGHT):
        for learner in learners:
            ids.append(services.submit_answer(
                learner=learner, exercise=exercise, answer={"query": query}, confidence=None
            ).pk)  # fmt: skip
    # Started once every answer waits on the broker, so that it is killed mid-batch however
    # fast it grades.
    first = Worker(tmp_path, REDIS_URL=url).start()
    wait_until(lambda: Submission.objects.filter(state=State.GRADED).count() >= 3, timeout=60)
    first.kill()
    stop_redis()
    start_redis()
    second = Worker(tmp_path, REDIS_URL=url).start()
    try:
        unfinished = Submission.objects.exclude(state=State.GRADED).count()
        assert unfinished > 0, "the worker finished before it was killed: make the batch bigger"
        # The restarted broker kept nothing: what is left is known only to the database.
        sweep_until_all_graded(len(ids), timeout=60)
    finally:
        second.stop()
    rows = Submission.objects.filter(pk__in=ids)
    assert {s.state for s in rows} == {State.GRADED}
    # One stored result each: a grading killed mid-way rolled back, and a second delivery of
    # the same answer found it graded and did nothing.
    assert set(rows.values_list("grading_runs", flat=True)) == {1}
    assert sorted(rows.values_list("correct", flat=True)) == [False] * 40 + [True] * 40
    progress = ExerciseProgress.objects.filter(exercise=exercise)
    assert {(p.learner_id, p.attempts, p.correct) for p in progress} == {
        (learner.pk, 2, True) for learner in learners
    }
