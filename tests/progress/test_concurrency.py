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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks")
def test_grading_does_not_hold_the_learners_row_while_it_marks(
    learner, course, exercise_named, monkeypatch
):
    """The learner's row is locked only for the recount: while the answer is being marked, the
    learner can go on reading and answering (their requests lock the same row)."""
    from exercises import grading

    submission = exercise_services.submit_answer(
        learner=learner, exercise=exercise_named("flow-1871"), answer={"value": 1120},
        confidence=None,
    )  # fmt: skip
    seen: list[bool] = []
    real_grade = grading.grade

    def grade_while_checking(*args, **kwargs):  # type: ignore[no-untyped-def]
        result: list[bool] = []

        def try_lock() -> None:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT id FROM accounts_user WHERE id = %s FOR NO KEY UPDATE NOWAIT",
                        [learner.pk],
                    )
                result.append(True)
            except Exception:  # noqa: BLE001 (the lock is held: the point of the test)
                result.append(False)
            finally:
                connections.close_all()

        other = threading.Thread(target=try_lock)
        other.start()
        other.join()
        seen.extend(result)
        return real_grade(*args, **kwargs)

    monkeypatch.setattr(grading, "grade", grade_while_checking)
    assert exercise_services.grade_submission(submission_id=submission.pk)
    assert seen == [True]
