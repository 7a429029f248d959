"""Ways for a test learner to read, answer and finish the small test course."""

from typing import Any

from courses.models import Course, Lesson
from courses.services import mark_lesson_read
from exercises import services as exercise_services
from exercises.models import Exercise, Submission

# Answers the graders mark right, by exercise slug.
RIGHT = {
    "flow-1871": {"value": 1120.0},
    "lowest-year": {"choice": 1},
    "flaws": {"choices": [0, 2]},
    "order-years": {"order": [0, 1, 2, 3]},
    "total-flow": {"low": 5000.0, "high": 6000.0},
}
WRONG = {
    "flow-1871": {"value": 900.0},
    "lowest-year": {"choice": 0},
    "flaws": {"choices": [1]},
    "order-years": {"order": [3, 2, 1, 0]},
    "total-flow": {"low": 1.0, "high": 2.0},
}


def answer(
    learner: Any,
    exercise: Exercise,
    value: dict[str, Any],
    *,
    confidence: int | None = None,
    grade: bool = True,
) -> Submission:
    submission = exercise_services.submit_answer(
        learner=learner, exercise=exercise, answer=value, confidence=confidence
    )
    if grade:
        exercise_services.grade_submission(submission_id=submission.pk)
    return submission


def exercise(course: Course, slug: str) -> Exercise:
    return Exercise.objects.select_related("course").get(course=course, slug=slug)


def right(learner: Any, course: Course, slug: str, *, confidence: int | None = None) -> Submission:
    return answer(learner, exercise(course, slug), RIGHT[slug], confidence=confidence)


def wrong(learner: Any, course: Course, slug: str, *, confidence: int | None = None) -> Submission:
    return answer(learner, exercise(course, slug), WRONG[slug], confidence=confidence)


def read(learner: Any, course: Course, *slugs: str) -> None:
    lessons = Lesson.objects.filter(module__course=course).select_related("module")
    for lesson in lessons.filter(slug__in=slugs) if slugs else lessons:
        mark_lesson_read(learner=learner, lesson=lesson)


def complete(learner: Any, course: Course) -> None:
    """Read every lesson and answer every exercise not answered yet (left unmarked)."""
    read(learner, course)
    answered = set(Submission.objects.filter(learner=learner).values_list("exercise_id", flat=True))
    for item in Exercise.objects.filter(course=course).exclude(pk__in=answered):
        answer(learner, item, {}, grade=False)
