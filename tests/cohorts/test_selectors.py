"""Members' statuses: on track, behind, inactive, or not joined yet."""

import datetime

import pytest
from django.utils import timezone

from cohorts import selectors
from cohorts.models import Cohort, Membership, ModuleSchedule
from cohorts.selectors import Status
from courses.models import Lesson
from courses.services import mark_lesson_read
from exercises.services import submit_answer
from progress.models import CourseProgress
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(course):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return Cohort.objects.create(
        name="Board 1", course=course, start_date=today - datetime.timedelta(days=30)
    )


def join(cohort, user, days_ago=30):  # type: ignore[no-untyped-def]
    return Membership.objects.create(
        cohort=cohort,
        email=user.email,
        learner=user,
        joined_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_statuses(cohort, course, django_assert_max_num_queries) -> None:
    first_module = course.modules.order_by("position").first()
    ModuleSchedule.objects.create(
        cohort=cohort, module=first_module, due_date=timezone.localdate() - datetime.timedelta(1)
    )
    due_lessons = list(Lesson.objects.filter(module=first_module))
    keen, slow, gone, new, never = (UserFactory() for _ in range(5))
    for user in (keen, slow, gone, new, never):
        join(cohort, user, days_ago=2 if user is new else 30)
    for lesson in due_lessons:
        mark_lesson_read(learner=keen, lesson=lesson)
    mark_lesson_read(learner=slow, lesson=due_lessons[0])
    mark_lesson_read(learner=gone, lesson=due_lessons[0])
    CourseProgress.objects.filter(learner=gone).update(
        last_active_at=timezone.now() - datetime.timedelta(days=20)
    )
    Membership.objects.create(cohort=cohort, email="pending@example.gov.uk")

    with django_assert_max_num_queries(5):
        members = selectors.members_with_progress(cohort=cohort)
        statuses = {m.email: m.status for m in members}
        counts = selectors.status_counts(members=members)
    assert statuses[keen.email] == Status.ON_TRACK
    assert statuses[slow.email] == Status.BEHIND  # read 1 of the 2 lessons due
    assert statuses[gone.email] == Status.INACTIVE
    assert statuses[new.email] == Status.BEHIND  # joined 2 days ago: not inactive yet
    assert statuses[never.email] == Status.INACTIVE  # joined a month ago, never active
    assert statuses["pending@example.gov.uk"] == Status.INVITED
    assert counts == {"on_track": 1, "behind": 2, "inactive": 2, "invited": 1}


def test_nobody_is_inactive_in_a_cohorts_first_days(course) -> None:
    """Invitations went out three weeks before the start: on day one, nobody has gone quiet."""
    today = timezone.localdate()
    cohort = Cohort.objects.create(name="Starts today", course=course, start_date=today)
    join(cohort, UserFactory(), days_ago=21)
    members = selectors.members_with_progress(cohort=cohort)
    assert [m.status for m in members] == [Status.ON_TRACK]


def test_work_ahead_does_not_make_up_for_a_module_past_its_due_date(
    cohort, course, exercise_named
) -> None:
    first, second = course.modules.order_by("position")[:2]
    ModuleSchedule.objects.create(
        cohort=cohort, module=first, due_date=timezone.localdate() - datetime.timedelta(1)
    )
    ahead = UserFactory()
    join(cohort, ahead)
    # More done than the overdue module holds, but all of it in the next module.
    for lesson in Lesson.objects.filter(module=second):
        mark_lesson_read(learner=ahead, lesson=lesson)
    for slug in ("flaws", "wet-years"):  # the next module's questions
        submit_answer(learner=ahead, exercise=exercise_named(slug), answer={}, confidence=None)
    assert CourseProgress.objects.get(learner=ahead).lessons_read + 2 > (
        Lesson.objects.filter(module=first).count()
    )
    members = selectors.members_with_progress(cohort=cohort)
    assert [m.status for m in members] == [Status.BEHIND]
