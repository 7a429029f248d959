"""Progress is recounted from lesson completions and submissions whenever they change."""

import pytest

from courses.models import Lesson
from courses.services import mark_lesson_read
from exercises import services as exercise_services
from progress import services
from progress.models import Certificate, CourseProgress, ExerciseProgress

pytestmark = pytest.mark.django_db


def answer(learner, exercise, value, *, grade=True):  # type: ignore[no-untyped-def]
    submission = exercise_services.submit_answer(
        learner=learner, exercise=exercise, answer=value, confidence=None
    )
    if grade:
        exercise_services.grade_submission(submission_id=submission.pk)
    return submission


def progress_of(learner, course) -> CourseProgress:  # type: ignore[no-untyped-def]
    return CourseProgress.objects.get(learner=learner, course=course)


def test_exercises_are_linked_to_the_lesson_that_embeds_them(course, exercise_named) -> None:
    assert exercise_named("flaws").lesson.slug == "questions"
    assert exercise_named("wet-years").lesson.slug == "questions"
    assert exercise_named("flow-1871").lesson is None  # not embedded in any lesson


def test_attempts_best_score_and_correct_are_recounted(learner, exercise_named) -> None:
    exercise = exercise_named("flow-1871")
    answer(learner, exercise, {"value": 900})
    record = ExerciseProgress.objects.get(learner=learner, exercise=exercise)
    assert (record.attempts, record.best_score, record.correct) == (1, 0.0, False)
    answer(learner, exercise, {"value": 1120})
    record.refresh_from_db()
    assert (record.attempts, record.best_score, record.correct) == (2, 1.0, True)
    assert record.first_answered_at < record.last_answered_at


def test_a_pending_answer_counts_as_answered_but_not_correct(learner, course, exercise_named):
    answer(learner, exercise_named("flow-1871"), {"value": 1120}, grade=False)
    progress = progress_of(learner, course)
    assert (progress.exercises_answered, progress.exercises_correct) == (1, 0)


def test_course_totals_count_lessons_and_exercises(learner, other_learner, course, exercise_named):
    lessons = list(Lesson.objects.filter(module__course=course))
    mark_lesson_read(learner=learner, lesson=lessons[0])
    mark_lesson_read(learner=learner, lesson=lessons[0])  # twice: counted once
    answer(learner, exercise_named("flow-1871"), {"value": 1120})
    answer(learner, exercise_named("lowest-year"), {"choice": 0})
    answer(other_learner, exercise_named("flow-1871"), {"value": 1})

    progress = progress_of(learner, course)
    assert progress.lessons_read == 1
    assert (progress.exercises_answered, progress.exercises_correct) == (2, 1)
    assert (progress.lessons_total, progress.exercises_total) == (len(lessons), 8)
    assert progress.completion == pytest.approx(3 / (len(lessons) + 8))
    assert progress.mastery == pytest.approx(1 / 8)
    assert progress.completed_at is None
    other = progress_of(other_learner, course)
    assert (other.lessons_read, other.exercises_answered, other.exercises_correct) == (0, 1, 0)


def test_completing_everything_completes_the_course_and_a_certificate_can_be_issued(
    learner, course, exercise_named
) -> None:
    assert services.issue_certificate(learner=learner, course=course) is None
    for lesson in Lesson.objects.filter(module__course=course):
        mark_lesson_read(learner=learner, lesson=lesson)
    for exercise in course.exercises.all():
        answer(learner, exercise, {}, grade=False)  # answered, not yet marked
    progress = progress_of(learner, course)
    assert progress.completion == 1.0
    assert progress.completed_at == progress.last_active_at

    certificate = services.issue_certificate(learner=learner, course=course)
    assert certificate is not None
    assert certificate.course_title == course.title
    assert services.issue_certificate(learner=learner, course=course) == certificate
    assert Certificate.objects.count() == 1


def test_a_full_recount_heals_figures_after_content_changes(learner, course, exercise_named):
    lesson = Lesson.objects.filter(module__course=course).first()
    mark_lesson_read(learner=learner, lesson=lesson)
    answer(learner, exercise_named("flow-1871"), {"value": 1120})
    CourseProgress.objects.update(lessons_read=99, exercises_correct=0)
    ExerciseProgress.objects.update(correct=False)

    services.refresh_exercise_progress(course_id=course.pk)
    services.refresh_course_progress(course_id=course.pk)

    progress = progress_of(learner, course)
    assert (progress.lessons_read, progress.exercises_correct) == (1, 1)


def test_an_answer_marked_right_after_marking_first_failed_counts_as_answered(
    learner, course, exercise_named
) -> None:
    exercise = exercise_named("flow-1871")
    submission = answer(learner, exercise, {"value": 1120}, grade=False)
    exercise_services.mark_failed(submission_id=submission.pk, error="Worker lost")
    assert progress_of_or_none(learner, course) is None  # nothing answered: no figures at all

    exercise_services.regrade(exercise=exercise, submission=submission)
    exercise_services.grade_submission(submission_id=submission.pk)
    record = ExerciseProgress.objects.get(learner=learner, exercise=exercise)
    assert (record.attempts, record.correct) == (1, True)
    progress = progress_of(learner, course)
    assert (progress.exercises_answered, progress.exercises_correct) == (1, 1)


def test_figures_go_when_nothing_is_left_to_count(learner, course, exercise_named) -> None:
    submission = answer(learner, exercise_named("flow-1871"), {"value": 1}, grade=False)
    assert progress_of(learner, course).exercises_answered == 1
    exercise_services.mark_failed(submission_id=submission.pk, error="Worker lost")
    assert progress_of_or_none(learner, course) is None


def progress_of_or_none(learner, course):  # type: ignore[no-untyped-def]
    return CourseProgress.objects.filter(learner=learner, course=course).first()
