"""Reads of a learner's own progress: lesson statuses, exercise records, calibration."""

import pytest

from courses.models import Lesson
from exercises.models import Exercise, Submission
from progress import selectors, services
from progress.selectors import CalibrationPoint, LessonStatus
from tests.progress.helpers import answer, complete, exercise, read, right, wrong

pytestmark = pytest.mark.django_db


def lesson_id(slug: str) -> int:
    return Lesson.objects.get(slug=slug).pk


def test_lessons_are_read_in_progress_or_not_started(learner, other_learner, course) -> None:
    read(learner, course, "welcome")
    # "flaws" is embedded in the lesson "questions": answering it starts that lesson.
    answer(learner, exercise(course, "flaws"), {"choices": [0]}, grade=False)
    read(other_learner, course, "data")

    statuses = selectors.lesson_statuses(learner=learner, course=course)

    assert statuses == {
        lesson_id("welcome"): LessonStatus.READ,
        lesson_id("questions"): LessonStatus.IN_PROGRESS,
    }
    assert lesson_id("data") not in statuses  # read by someone else: not started for this learner


def test_a_read_lesson_stays_read_when_its_exercises_are_answered(learner, course) -> None:
    read(learner, course, "questions")
    right(learner, course, "flaws")
    statuses = selectors.lesson_statuses(learner=learner, course=course)
    assert statuses[lesson_id("questions")] == LessonStatus.READ


def test_answers_to_exercises_in_no_lesson_start_no_lesson(learner, course) -> None:
    right(learner, course, "flow-1871")  # not embedded in any lesson
    assert selectors.lesson_statuses(learner=learner, course=course) == {}


def test_exercise_records_have_the_learners_attempts_and_best_score(
    learner, other_learner, course
) -> None:
    wrong(learner, course, "flow-1871")
    right(learner, course, "flow-1871")
    answer(learner, exercise(course, "order-years"), {"order": [0, 1, 3, 2]})
    right(other_learner, course, "lowest-year")

    records = {r.slug: r for r in selectors.exercise_records(learner=learner, course=course)}

    assert len(records) == Exercise.objects.filter(course=course).count()
    flow = records["flow-1871"]
    assert (flow.attempts, flow.best_score, flow.correct, flow.answered) == (2, 1.0, True, True)
    order = records["order-years"]
    assert order.attempts == 1 and 0 < order.best_score < 1 and not order.correct
    untouched = records["lowest-year"]  # only the other learner answered it
    assert (untouched.attempts, untouched.best_score, untouched.correct) == (0, None, False)


def test_calibration_counts_marked_answers_by_stated_confidence(
    learner, other_learner, course
) -> None:
    wrong(learner, course, "flow-1871", confidence=90)
    wrong(learner, course, "lowest-year", confidence=90)
    right(learner, course, "order-years", confidence=90)
    right(learner, course, "total-flow", confidence=50)
    right(learner, course, "flaws")  # no confidence given: not counted
    answer(learner, exercise(course, "wet-years"), {}, confidence=70, grade=False)  # not marked
    right(other_learner, course, "lowest-year", confidence=99)

    points = selectors.calibration(learner=learner, course=course)

    assert points == [CalibrationPoint(50, 1, 1), CalibrationPoint(90, 3, 1)]
    assert points[1].share_right == pytest.approx(1 / 3)


def test_calibration_uses_only_the_first_answer_to_each_exercise(learner, course) -> None:
    # Later attempts follow the feedback on the first: they say little about calibration.
    wrong(learner, course, "flow-1871", confidence=90)
    right(learner, course, "flow-1871", confidence=90)
    right(learner, course, "lowest-year", confidence=70)
    assert selectors.calibration(learner=learner, course=course) == [
        CalibrationPoint(70, 1, 1),
        CalibrationPoint(90, 1, 0),
    ]


def test_calibration_starts_from_the_first_answer_that_has_a_confidence(learner, course):
    wrong(learner, course, "flow-1871")  # no confidence: not the first "such" answer
    right(learner, course, "flow-1871", confidence=60)
    assert selectors.calibration(learner=learner, course=course) == [CalibrationPoint(60, 1, 1)]


def test_calibration_leaves_out_answers_that_do_not_count(learner, course) -> None:
    # An attempt that could not be marked fairly (counted=False) says nothing about the
    # learner; the first counted attempt is the one that speaks.
    first = wrong(learner, course, "flow-1871", confidence=90)
    Submission.objects.filter(pk=first.pk).update(counted=False)
    right(learner, course, "flow-1871", confidence=80)
    assert selectors.calibration(learner=learner, course=course) == [CalibrationPoint(80, 1, 1)]


def test_course_progress_carries_the_certificate_code_once_issued(learner, course) -> None:
    assert selectors.course_progress_for(learner=learner, course=course) is None
    complete(learner, course)
    progress = selectors.course_progress_for(learner=learner, course=course)
    assert progress is not None and progress.completed_at is not None
    assert progress.certificate_code is None

    certificate = services.issue_certificate(learner=learner, course=course)

    progress = selectors.course_progress_for(learner=learner, course=course)
    assert progress.certificate_code == certificate.code
    assert selectors.certificate_with_code(code=certificate.code) == certificate
    assert selectors.certificate_with_code(code="no-such-code") is None


def test_progress_by_course_holds_only_the_learners_courses(learner, other_learner, course):
    read(other_learner, course, "welcome")
    assert selectors.progress_by_course(learner=learner) == {}
    read(learner, course, "welcome")
    assert list(selectors.progress_by_course(learner=learner)) == [course.pk]
