"""Two recounts of the same learner at once (two workers grading, or reading while an answer
is marked) must not leave a figure one short. Needs PostgreSQL: SQLite runs one writer at a
time, so it cannot interleave them."""

import contextlib
import threading

import pytest
from django.db import connection, connections, transaction

from exercises import services as exercise_services
from progress.models import CourseProgress

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_gradings_of_one_learner_at_once_are_both_counted(learner, course, exercise_named):
    first, second = (
        exercise_services.submit_answer(
            learner=learner, exercise=exercise_named(slug), answer=value, confidence=None
        )
        for slug, value in (("flow-1871", {"value": 1120}), ("lowest-year", {"choice": 1}))
    )
    both_graded = threading.Barrier(2)
    errors: list[BaseException] = []

    def grade(submission_id: int) -> None:
        try:
            with transaction.atomic():
                exercise_services.grade_submission(submission_id=submission_id)
                # Hold the transaction open until the other grading has run too (or, when it
                # waits for this one's lock, for a moment).
                with contextlib.suppress(threading.BrokenBarrierError):
                    both_graded.wait(timeout=1)
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grade, args=(s.pk,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    progress = CourseProgress.objects.get(
        learner=learner, course=exercise_named("flow-1871").course
    )
    assert (progress.exercises_answered, progress.exercises_correct) == (2, 2)
