"""Accounts unused for ACCOUNT_RETENTION_DAYS are anonymised by a daily job, except those of
people others depend on (staff, course roles, facilitators of running cohorts)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts import data_rights, tasks
from accounts.models import User
from accounts.roles import AUTHORS_GROUP, TUTORS_GROUP
from audit.models import AuditEvent
from authoring import services as authoring
from authoring.models import CourseRole, Role
from courses.models import Course
from masterclass.celery import app
from progress.models import CourseProgress
from tests.accounts.data_rights_helpers import import_mini_course
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory
from tests.progress.helpers import read, right

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db: None) -> Course:
    """The small test course ("Mini course")."""
    return import_mini_course()


LONG_AGO = timezone.now() - datetime.timedelta(days=800)
LAST_MONTH = timezone.now() - datetime.timedelta(days=30)


def unused_since(user: Any, when: datetime.datetime, *, logged_in: bool = True) -> Any:
    """The account was made, last signed in and last used at ``when``."""
    User.objects.filter(pk=user.pk).update(date_joined=when, last_login=when if logged_in else None)
    CourseProgress.objects.filter(learner=user).update(started_at=when, last_active_at=when)
    user.submissions.update(submitted_at=when)
    user.lesson_completions.update(completed_at=when)
    return user


def anonymised(user: Any) -> bool:
    user.refresh_from_db()
    return data_rights.is_anonymised(user)


@pytest.fixture
def used_long_ago(course: Course) -> Any:
    person = UserFactory(email="long.gone@example.gov.uk")
    read(person, course, "welcome")
    right(person, course, "flow-1871")
    return unused_since(person, LONG_AGO)


class TestWhoIsDue:
    def test_an_account_unused_for_the_period_is_anonymised_and_audited(
        self, used_long_ago: Any
    ) -> None:
        assert data_rights.anonymise_inactive_accounts() == 1
        assert anonymised(used_long_ago)
        event = AuditEvent.objects.get(action="account.anonymised_by_retention")
        assert event.actor is None
        assert event.target == f"deleted-{used_long_ago.pk}@anonymised.invalid"
        assert event.details == {"reason": "retention"}
        # What it counted for stays.
        assert CourseProgress.objects.filter(learner=used_long_ago).exists()

    def test_an_account_never_signed_in_to_counts_from_when_it_was_made(self) -> None:
        never = unused_since(UserFactory(), LONG_AGO, logged_in=False)
        new = unused_since(UserFactory(), LAST_MONTH, logged_in=False)
        data_rights.anonymise_inactive_accounts()
        assert anonymised(never) and not anonymised(new)

    def test_a_recent_sign_in_keeps_the_account(self, used_long_ago: Any) -> None:
        User.objects.filter(pk=used_long_ago.pk).update(last_login=LAST_MONTH)
        assert data_rights.anonymise_inactive_accounts() == 0
        assert not anonymised(used_long_ago)

    @pytest.mark.parametrize("activity", ["progress", "answer", "reading"])
    def test_recent_activity_keeps_the_account(
        self, used_long_ago: Any, course: Course, activity: str
    ) -> None:
        # Signed in long ago, on a session kept open since.
        if activity == "progress":
            CourseProgress.objects.filter(learner=used_long_ago).update(last_active_at=LAST_MONTH)
        elif activity == "answer":
            used_long_ago.submissions.update(submitted_at=LAST_MONTH)
        else:
            used_long_ago.lesson_completions.update(completed_at=LAST_MONTH)
        assert data_rights.anonymise_inactive_accounts() == 0
        assert not anonymised(used_long_ago)

    def test_just_inside_the_period_is_kept(self, settings: Any) -> None:
        days = settings.ACCOUNT_RETENTION_DAYS
        inside = unused_since(UserFactory(), timezone.now() - datetime.timedelta(days=days - 1))
        outside = unused_since(UserFactory(), timezone.now() - datetime.timedelta(days=days + 1))
        data_rights.anonymise_inactive_accounts()
        assert not anonymised(inside) and anonymised(outside)

    def test_zero_turns_it_off(self, used_long_ago: Any, settings: Any) -> None:
        settings.ACCOUNT_RETENTION_DAYS = 0
        assert data_rights.anonymise_inactive_accounts() == 0
        assert not anonymised(used_long_ago)

    def test_the_period_comes_from_the_setting(self, settings: Any) -> None:
        assert settings.ACCOUNT_RETENTION_DAYS == 730
        settings.ACCOUNT_RETENTION_DAYS = 10
        person = unused_since(UserFactory(), LAST_MONTH)
        data_rights.anonymise_inactive_accounts()
        assert anonymised(person)


class TestWhoIsNeverRemoved:
    def test_staff_and_superusers(self) -> None:
        staff = unused_since(UserFactory(is_staff=True, mfa=True), LONG_AGO)
        superuser = unused_since(UserFactory(is_superuser=True, mfa=True), LONG_AGO)
        data_rights.anonymise_inactive_accounts()
        assert not anonymised(staff) and not anonymised(superuser)

    def test_authors_and_tutors(self) -> None:
        people = []
        for name in (AUTHORS_GROUP, TUTORS_GROUP):
            person = UserFactory(mfa=True)
            person.groups.add(Group.objects.get_or_create(name=name)[0])
            people.append(unused_since(person, LONG_AGO))
        data_rights.anonymise_inactive_accounts()
        assert not any(anonymised(person) for person in people)

    def test_anyone_with_a_role_on_a_course(self, course: Course) -> None:
        reviewer = unused_since(UserFactory(mfa=True), LONG_AGO)
        workspace = authoring.workspace_for_course(course=course)
        CourseRole.objects.create(workspace=workspace, user=reviewer, role=Role.REVIEWER)
        data_rights.anonymise_inactive_accounts()
        assert not anonymised(reviewer)

    def test_facilitators_of_a_running_cohort_but_not_of_an_archived_one(
        self, course: Course
    ) -> None:
        running = unused_since(UserFactory(mfa=True), LONG_AGO)
        finished = unused_since(UserFactory(mfa=True), LONG_AGO)
        CohortFactory(course=course, facilitators=[running])
        CohortFactory(course=course, facilitators=[finished], archived=True)
        data_rights.anonymise_inactive_accounts()
        assert not anonymised(running) and anonymised(finished)


class TestTheJob:
    def test_running_twice_changes_nothing_more(self, used_long_ago: Any) -> None:
        assert data_rights.anonymise_inactive_accounts() == 1
        before = list(User.objects.values())
        events = AuditEvent.objects.count()
        assert data_rights.anonymise_inactive_accounts() == 0
        assert list(User.objects.values()) == before
        assert AuditEvent.objects.count() == events

    def test_the_task_runs_the_service(self, used_long_ago: Any) -> None:
        tasks.anonymise_inactive_accounts.apply().get()
        assert anonymised(used_long_ago)

    def test_beat_runs_a_real_task_daily(self) -> None:
        entry = settings.CELERY_BEAT_SCHEDULE["anonymise-inactive-accounts"]
        app.loader.import_default_modules()
        assert entry["task"] in app.tasks
        assert app.tasks[entry["task"]].run.__module__ == "accounts.tasks"
        schedule = entry["schedule"]
        assert schedule.remaining_estimate(timezone.now()) <= datetime.timedelta(days=1)
        assert (schedule.hour, schedule.day_of_week) == ({3}, set(range(7)))
