"""The demo cohort: realistic activity, so that the dashboards mean something on `make run`."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cohorts import selectors
from cohorts.demo import DEMO_COHORT, LEADERS, NOT_JOINED
from cohorts.models import Cohort
from exercises.models import State, Submission
from progress.models import CourseProgress

pytestmark = pytest.mark.django_db


def test_load_demo_adds_a_cohort_with_learners_ahead_behind_and_inactive() -> None:
    call_command("load_demo")
    cohort = Cohort.objects.get(name=DEMO_COHORT)
    assert cohort.facilitators.get().email == "facilitator@example.gov.uk"
    assert cohort.memberships.count() == len(LEADERS) + len(NOT_JOINED) + 1  # + the demo learner

    counts = selectors.status_counts(members=selectors.members_with_progress(cohort=cohort))
    assert counts["invited"] == len(NOT_JOINED)
    assert counts["on_track"] >= 10
    assert counts["behind"] >= 3
    assert counts["inactive"] >= 2
    finished = CourseProgress.objects.filter(course=cohort.course, completed_at__isnull=False)
    assert finished.count() == 2
    # Real answers through the real graders: some right, some wrong, nothing left unmarked.
    answers = Submission.objects.filter(learner__cohort_memberships__cohort=cohort)
    assert answers.filter(correct=True).exists() and answers.filter(correct=False).exists()
    assert not answers.filter(state__in=[State.PENDING, State.ERROR]).exists()
    assert answers.filter(confidence__isnull=False).exists()


def test_loading_the_demo_again_leaves_the_cohort_as_it_was() -> None:
    call_command("load_demo")
    answers = Submission.objects.count()
    call_command("load_demo")
    assert Cohort.objects.filter(name=DEMO_COHORT).count() == 1
    assert Submission.objects.count() == answers


def test_a_demo_cohort_from_an_earlier_day_is_made_again() -> None:
    """Its dates are relative to today: left alone, every leader would drift behind."""
    call_command("load_demo")
    Cohort.objects.filter(name=DEMO_COHORT).update(
        start_date=Cohort.objects.get(name=DEMO_COHORT).start_date - datetime.timedelta(days=3)
    )
    call_command("load_demo")
    cohort = Cohort.objects.get(name=DEMO_COHORT)
    assert cohort.start_date == timezone.localdate() - datetime.timedelta(weeks=5)
    counts = selectors.status_counts(members=selectors.members_with_progress(cohort=cohort))
    assert counts["on_track"] >= 10
