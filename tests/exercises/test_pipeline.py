"""The grading pipeline end to end, with a real Celery worker process (and, in CI, real
PostgreSQL and Redis): every submission is graded, exactly once, whatever happens."""

import pytest
from django.test import Client

from exercises import services
from exercises.models import State, Submission
from exercises.tasks import grade_submission
from tests.accounts.factories import UserFactory
from tests.conftest import wait_until
from tests.exercises.conftest import MINI_COURSE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ORDER = "/courses/mini-course/exercises/order-years/"


@pytest.fixture
def course(transactional_db):  # type: ignore[no-untyped-def]
    from courses import services as course_services

    return course_services.import_course(path=MINI_COURSE)


def graded() -> int:
    return Submission.objects.filter(state=State.GRADED).count()


def test_two_hundred_answers_through_the_web_are_each_graded_once(celery_worker, course):
    learners = UserFactory.create_batch(20)
    for index, learner in enumerate(learners):
        client = Client()
        client.force_login(learner)
        for attempt in range(10):
            # Alternate right-ish and wrong orders; never exactly right, so every post counts.
            order = ["2", "1", "3", "4"] if (index + attempt) % 2 else ["4", "3", "2", "1"]
            response = client.post(
                ORDER, dict(zip(["item_0", "item_1", "item_2", "item_3"], order, strict=True))
            )
            assert response.status_code == 302, response.content[:500]
    assert Submission.objects.count() == 200
    try:
        wait_until(lambda: graded() == 200, timeout=120)
    except BaseException:
        from django.db.models import Count

        print(list(Submission.objects.values("state", "grading_runs").annotate(n=Count("id"))))
        raise
    assert set(Submission.objects.values_list("grading_runs", flat=True)) == {1}
    assert not Submission.objects.filter(graded_at__isnull=True).exists()
    assert set(Submission.objects.values_list("score", flat=True)) == {round(5 / 6, 4), 0.0}


def test_the_same_task_delivered_twice_grades_once(celery_worker, course, learner):
    from exercises.models import Exercise

    exercise = Exercise.objects.get(slug="flow-1871")
    submission = services.submit_answer(
        learner=learner, exercise=exercise, answer={"value": 1120}, confidence=None
    )
    grade_submission.apply_async(args=[submission.pk])  # a second delivery of the same work
    wait_until(lambda: Submission.objects.filter(pk=submission.pk, state=State.GRADED).exists())
    submission.refresh_from_db()
    assert (submission.correct, submission.grading_runs) == (True, 1)


def test_an_author_trying_a_draft_exercise_is_graded_by_a_worker_and_counts_for_nothing(
    celery_worker, course
):
    """ "Try it as a learner": the draft's exercise page, the real worker, no progress, and no
    limit on attempts."""
    from authoring import services as authoring_services
    from authoring.models import CourseRole, Role
    from progress.models import CourseProgress

    author = UserFactory(author=True, mfa=True)
    workspace = authoring_services.workspace_for_course(course=course)
    CourseRole.objects.create(workspace=workspace, user=author, role=Role.EDITOR)
    client = Client()
    client.force_login(author)
    trial = f"/courses/{workspace.draft.slug}/exercises/order-years/"
    wrong = {"item_0": "4", "item_1": "3", "item_2": "2", "item_3": "1"}
    for _ in range(5):  # more than the exercise's three attempts
        assert client.post(trial, wrong).status_code == 302
    wait_until(lambda: graded() == 5, timeout=60)
    answers = Submission.objects.filter(learner=author)
    assert {a.exercise.course_id for a in answers} == {workspace.draft.pk}
    assert set(answers.values_list("score", flat=True)) == {0.0}
    assert not CourseProgress.objects.filter(learner=author).exists()
