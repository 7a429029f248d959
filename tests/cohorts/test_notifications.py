"""Scheduled emails: who gets which, once only, and the opt-out link.

The weekly progress email goes to learners who are behind and to inactive learners (no
activity for COHORT_INACTIVE_AFTER_DAYS: falling behind in all but name), never to those on
track, those who opted out, disabled accounts or people who have not joined yet.
"""

from __future__ import annotations

import datetime
import logging
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts import notifications, reports, tasks
from cohorts.models import Cohort, Membership, ModuleSchedule, Notification
from cohorts.notifications import Kind
from courses.models import Course, Lesson, Module
from courses.services import mark_lesson_read
from exercises.models import Exercise
from progress.models import ExerciseProgress
from progress.services import refresh_course_progress
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "http://masterclass.example"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE
    settings.DUE_REMINDER_DAYS = 3


@pytest.fixture
def now() -> datetime.datetime:
    return timezone.now()


@pytest.fixture
def today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


@pytest.fixture
def facilitator(db: None) -> User:
    return UserFactory(email="facilitator@example.gov.uk", first_name="Fran")


@pytest.fixture
def modules(course: Course) -> list[Module]:
    return list(course.modules.order_by("position"))


@pytest.fixture
def cohort(
    course: Course, modules: list[Module], facilitator: User, today: datetime.date
) -> Cohort:
    """Started a month ago. The first module (2 lessons) was due yesterday; the second (1
    lesson embedding 2 exercises) is due in 3 days."""
    cohort = Cohort.objects.create(
        name="Board 1", course=course, start_date=today - datetime.timedelta(days=30)
    )
    cohort.facilitators.add(facilitator)
    ModuleSchedule.objects.create(
        cohort=cohort, module=modules[0], due_date=today - datetime.timedelta(days=1)
    )
    ModuleSchedule.objects.create(
        cohort=cohort, module=modules[1], due_date=today + datetime.timedelta(days=3)
    )
    return cohort


def join(cohort: Cohort, days_ago: int = 30, **user_fields: Any) -> User:
    user = UserFactory(**user_fields)
    Membership.objects.create(
        cohort=cohort,
        email=user.email,
        learner=user,
        joined_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    return user


def read(user: User, *lessons: Lesson) -> None:
    for lesson in lessons:
        mark_lesson_read(learner=user, lesson=lesson)


def answer(user: User, exercise: Exercise, *, correct: bool) -> None:
    """A marked answer, as the grading pipeline would record it."""
    ExerciseProgress.objects.create(
        learner=user,
        exercise=exercise,
        course=exercise.course,
        attempts=1,
        best_score=1.0 if correct else 0.0,
        correct=correct,
        first_answered_at=timezone.now(),
        last_answered_at=timezone.now(),
    )
    refresh_course_progress(course_id=exercise.course_id, learner_id=user.pk)


def lessons_of(module: Module) -> list[Lesson]:
    return list(module.lessons.order_by("position"))


@pytest.fixture
def people(cohort: Cohort, modules: list[Module]) -> SimpleNamespace:
    first = lessons_of(modules[0])
    behind = join(cohort, email="behind@example.gov.uk", first_name="Bea")
    on_track = join(cohort, email="on.track@example.gov.uk")
    inactive = join(cohort, email="inactive@example.gov.uk")  # joined a month ago, never active
    opted_out = join(cohort, email="opted.out@example.gov.uk", progress_emails=False)
    disabled = join(cohort, email="disabled@example.gov.uk", is_active=False)
    read(behind, first[0])
    read(on_track, *first)
    read(opted_out, first[0])
    read(disabled, first[0])
    Membership.objects.create(cohort=cohort, email="invited@example.gov.uk")
    return SimpleNamespace(
        behind=behind, on_track=on_track, inactive=inactive, opted_out=opted_out, disabled=disabled
    )


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def html_of(message: Any) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


# --- Weekly progress email ------------------------------------------------------
class TestWeeklyProgressEmails:
    def test_goes_to_learners_who_are_behind_or_inactive(self, people, now) -> None:
        sent = notifications.send_weekly_progress_emails(now=now)

        assert sent == 2
        assert recipients() == ["behind@example.gov.uk", "inactive@example.gov.uk"]

    def test_says_what_they_have_done_and_what_is_due_next(
        self, people, now, today, modules
    ) -> None:
        notifications.send_weekly_progress_emails(now=now)

        message = next(m for m in mail.outbox if m.to == ["behind@example.gov.uk"])
        assert message.subject == "Data Masterclass: Your progress on Mini course"
        assert message.body.startswith("Hello Bea,")
        assert "you have read 1 of 3 lessons and answered 0 of 8 exercises" in message.body
        due = today + datetime.timedelta(days=3)
        assert f"Next due: Next steps, by {due:%A} {due.day} {due:%B %Y}." in message.body
        assert f"Continue the course:\n{SITE}/courses/mini-course/\n" in message.body
        html = html_of(message)
        assert f'<a href="{SITE}/courses/mini-course/">Continue the course</a>' in html
        # The opt-out link names this learner.
        opt_out = message.extra_headers["List-Unsubscribe"].strip("<>")
        assert opt_out in message.body
        assert opt_out in html
        token = opt_out.removeprefix(f"{SITE}/emails/unsubscribe/").rstrip("/")
        assert notifications.user_for_unsubscribe_token(token=token) == people.behind

    def test_carries_one_click_unsubscribe_headers(self, people, now) -> None:
        notifications.send_weekly_progress_emails(now=now)

        for message in mail.outbox:
            headers = message.message()
            assert headers["List-Unsubscribe"].startswith(f"<{SITE}/emails/unsubscribe/")
            assert headers["List-Unsubscribe"].endswith("/>")
            assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    def test_nothing_for_archived_or_not_yet_started_cohorts(self, cohort, people, now) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(archived=True)
        assert notifications.send_weekly_progress_emails(now=now) == 0

        Cohort.objects.filter(pk=cohort.pk).update(
            archived=False, start_date=timezone.localdate(now) + datetime.timedelta(days=1)
        )
        assert notifications.send_weekly_progress_emails(now=now) == 0
        assert mail.outbox == []
        assert not Notification.objects.exists()

    def test_running_twice_in_a_week_sends_once_and_next_week_again(self, people, now) -> None:
        assert notifications.send_weekly_progress_emails(now=now) == 2
        later_that_week = now + datetime.timedelta(minutes=5)
        assert notifications.send_weekly_progress_emails(now=later_that_week) == 0
        assert len(mail.outbox) == 2
        assert set(Notification.objects.values_list("kind", "key")) == {
            (Kind.WEEKLY_PROGRESS, notifications.week_key(now=now))
        }

        # A week on, the second module is overdue too: the learner on track is now behind.
        next_week = now + datetime.timedelta(days=7)
        assert notifications.send_weekly_progress_emails(now=next_week) == 3
        assert recipients() == [
            "behind@example.gov.uk",
            "behind@example.gov.uk",
            "inactive@example.gov.uk",
            "inactive@example.gov.uk",
            "on.track@example.gov.uk",
        ]
        assert Notification.objects.count() == 5

    def test_a_failed_send_is_logged_and_retried_by_the_next_run(
        self, people, now, monkeypatch, caplog
    ) -> None:
        deliver = EmailBackend.send_messages

        def refuse_one(self: EmailBackend, messages: Any) -> int:
            if any("behind@example.gov.uk" in message.to for message in messages):
                raise ConnectionError("mail server went away")
            return deliver(self, messages)

        monkeypatch.setattr(EmailBackend, "send_messages", refuse_one)
        with caplog.at_level(logging.ERROR, logger="cohorts.notifications"):
            assert notifications.send_weekly_progress_emails(now=now) == 1
        assert recipients() == ["inactive@example.gov.uk"]
        assert f"to user {people.behind.pk}" in caplog.text
        # The claim rolled back with the failed send.
        assert list(Notification.objects.values_list("recipient", flat=True)) == [
            people.inactive.pk
        ]

        monkeypatch.setattr(EmailBackend, "send_messages", deliver)
        assert notifications.send_weekly_progress_emails(now=now) == 1
        assert recipients() == ["behind@example.gov.uk", "inactive@example.gov.uk"]

    def test_daily_runs_send_once_a_week_and_make_up_a_failed_run(
        self, people, now, monkeypatch
    ) -> None:
        """Beat runs the weekly job every day. If the first run of the week cannot send, the
        next day's run does; the runs after it that week send nothing more."""
        deliver = EmailBackend.send_messages

        def refuse(self: EmailBackend, messages: Any) -> int:
            raise ConnectionError("mail server went away")

        monkeypatch.setattr(EmailBackend, "send_messages", refuse)
        assert notifications.send_weekly_progress_emails(now=now) == 0
        monkeypatch.setattr(EmailBackend, "send_messages", deliver)

        next_day = now + datetime.timedelta(days=1)
        assert notifications.send_weekly_progress_emails(now=next_day) == 2
        week = notifications.week_key(now=next_day)
        later_that_week = [
            next_day + datetime.timedelta(days=n)
            for n in range(1, 7)
            if notifications.week_key(now=next_day + datetime.timedelta(days=n)) == week
        ]
        for day in later_that_week:
            assert notifications.send_weekly_progress_emails(now=day) == 0
        assert recipients() == ["behind@example.gov.uk", "inactive@example.gov.uk"]

    def test_queries_per_email_are_few(self, cohort, people, now, django_assert_max_num_queries):
        for _ in range(10):
            join(cohort)  # never active: inactive
        # A few queries for the cohort, then per email: savepoint, claim, release.
        with django_assert_max_num_queries(10 + 3 * 12):
            assert notifications.send_weekly_progress_emails(now=now) == 12


@pytest.mark.parametrize(
    "job",
    [
        notifications.send_weekly_progress_emails,
        notifications.send_facilitator_digests,
        notifications.send_due_date_reminders,
    ],
)
def test_a_job_without_site_url_fails_before_sending(job, people, settings) -> None:
    settings.SITE_URL = ""
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        job()
    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "name", ["send_weekly_progress_emails", "send_facilitator_digests", "send_due_date_reminders"]
)
def test_each_task_runs_its_service(name, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(notifications, name, lambda **kwargs: calls.append(kwargs))
    getattr(tasks, name).apply()
    assert calls == [{}]


def test_beat_runs_every_job_daily_at_eight_in_london() -> None:
    """Daily, the weekly jobs too: their week key sends once a week, and a failed run is
    made up the next day instead of waiting a week."""
    from django.conf import settings

    from masterclass.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    entries = {
        entry["task"]: entry["schedule"]
        for entry in schedule.values()
        if entry["task"].startswith("cohorts.")
    }
    assert set(entries) == {
        "cohorts.tasks.send_weekly_progress_emails",
        "cohorts.tasks.send_facilitator_digests",
        "cohorts.tasks.send_due_date_reminders",
    }
    for name, crontab in entries.items():
        assert name in app.tasks
        assert (crontab.hour, crontab.minute) == ({8}, {0})
        assert crontab.day_of_week == set(range(7)), name
    assert str(app.timezone) == "Europe/London"


def test_week_key_is_the_iso_week_in_local_time() -> None:
    london = ZoneInfo("Europe/London")
    monday = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=london)
    assert notifications.week_key(now=monday) == "2026-W48"
    # Sunday 3 January 2027 is still in the last ISO week of 2026.
    assert notifications.week_key(now=datetime.datetime(2027, 1, 3, 12, tzinfo=london)) == (
        "2026-W53"
    )
    # Just after midnight on a Monday in London is still Sunday in UTC.
    early = datetime.datetime(2026, 6, 1, 0, 30, tzinfo=london).astimezone(datetime.UTC)
    assert notifications.week_key(now=early) == "2026-W23"


# --- Facilitator digest -----------------------------------------------------------
@pytest.fixture
def answers(cohort, course, modules, people, exercise_named, today) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    """Both modules overdue (5 items due: 3 lessons and 2 embedded exercises), and marked
    answers: all 3 who tried "flaws" got it wrong, 2 of 3 got "wet-years" right, and only 2
    tried "flow-1871" (too few to rank it). The learner on track has read every lesson and
    answered both of module 2's exercises."""
    ModuleSchedule.objects.filter(cohort=cohort).update(due_date=today - datetime.timedelta(days=1))
    read(people.on_track, *lessons_of(modules[1]))
    private = join(cohort, email="private@example.gov.uk", first_name="Pat", answers_private=True)
    keen = join(cohort, email="keen@example.gov.uk", first_name="Kim", last_name="Keen")
    flaws, wet, flow = (exercise_named(slug) for slug in ("flaws", "wet-years", "flow-1871"))
    for user in (people.on_track, keen, private):
        answer(user, flaws, correct=False)
    answer(people.on_track, wet, correct=True)
    answer(keen, wet, correct=True)
    answer(private, wet, correct=False)
    answer(people.on_track, flow, correct=False)
    answer(private, flow, correct=True)
    return SimpleNamespace(private=private, keen=keen)


class TestFacilitatorDigest:
    def test_counts_reading_and_hardest_questions(
        self, cohort, people, answers, facilitator, settings, django_assert_max_num_queries
    ) -> None:
        # Three marked answers are enough to show a question's figures here (5 by default).
        settings.REPORT_MIN_GROUP_SIZE = 3
        # Lessons read a week or more ago do not count in the week's reading.
        Lesson.objects.first().completions.filter(learner=people.on_track).update(
            completed_at=timezone.now() - datetime.timedelta(days=7, minutes=1)
        )
        with django_assert_max_num_queries(13 + 3 * 1):
            assert notifications.send_facilitator_digests(now=timezone.now()) == 1

        [message] = mail.outbox
        assert message.to == [facilitator.email]
        assert message.subject == "Data Masterclass: Weekly summary for Board 1"
        body = message.body
        assert "Learners (8)" in body
        assert "- On track: 1\n" in body
        assert "- Behind: 5\n" in body  # behind, opted out, disabled, keen, private
        assert "- Inactive: 1\n" in body
        assert "- Not joined yet: 1\n" in body
        assert "Lessons read in the past week: 5\n" in body
        hardest = body.split("Hardest questions so far\n")[1].split("\n\n")[0]
        assert hardest.splitlines()[0] == "- What is wrong with the bars?: 0 of 3 right (0%)"
        assert hardest.splitlines()[2] == "- Years above 1,150: 2 of 3 right (67%)"
        assert "Flow in 1871" not in body  # only 2 answers: too few to show
        assert f"{SITE}/cohorts/{cohort.pk}/questions/flaws/" in body
        assert f"See the cohort dashboard:\n{SITE}/cohorts/{cohort.pk}/" in body
        assert f'<a href="{SITE}/cohorts/{cohort.pk}/">See the cohort dashboard</a>' in html_of(
            message
        )
        assert "List-Unsubscribe" not in message.extra_headers

    def test_hardest_questions_are_those_the_question_analysis_shows(
        self, cohort, people, answers, exercise_named, now
    ) -> None:
        """The figures are the question analysis's: learners with a marked answer, and only
        for questions that 5 of them answered. With 3 (one of them keeping their answers
        private), "0 of 3 right" is not told; with 5 it is, as on the question analysis."""
        notifications.send_facilitator_digests(now=now)
        assert "Hardest questions" not in mail.outbox[0].body
        assert notifications.hardest_questions(cohort=cohort) == []

        flaws = exercise_named("flaws")
        answer(people.behind, flaws, correct=False)
        answer(people.inactive, flaws, correct=True)
        # An answer waiting for a tutor is neither right nor wrong: not counted.
        waiting = join(cohort, email="waiting@example.gov.uk")
        ExerciseProgress.objects.create(
            learner=waiting, exercise=flaws, course=flaws.course, attempts=1, best_score=None,
            correct=False, first_answered_at=now, last_answered_at=now,
        )  # fmt: skip
        [hardest] = notifications.hardest_questions(cohort=cohort)
        assert (hardest.title, hardest.correct, hardest.answered) == (flaws.title, 1, 5)
        figures = reports.item_statistics(cohort=cohort)[flaws.pk]
        assert (figures.correct, figures.answered) == (1, 5)

    def test_names_who_needs_a_nudge_without_scores_for_private_answers(
        self, people, answers, now
    ) -> None:
        notifications.send_facilitator_digests(now=now)

        [message] = mail.outbox
        lines = {
            line.split(" (")[0].removeprefix("- "): line
            for line in message.body.split("Learners who may need a nudge\n")[1]
            .split("\n\n")[0]
            .splitlines()
        }
        assert lines["Kim Keen"] == (
            "- Kim Keen (behind): read 0 of 3 lessons, answered 2 of 8 exercises, 1 right"
        )
        private_name = answers.private.get_full_name()
        assert lines[private_name] == (
            f"- {private_name} (behind): read 0 of 3 lessons, answered 3 of 8 exercises "
            "(answers kept private)"
        )
        assert str(people.inactive) in lines
        assert str(people.on_track) not in lines
        html = html_of(message)
        assert "answered 3 of 8 exercises (answers kept private)</li>" in html

    def test_sent_once_a_week_to_each_active_facilitator(
        self, cohort, people, now, facilitator
    ) -> None:
        away = UserFactory(email="away@example.gov.uk", is_active=False)
        second = UserFactory(email="second@example.gov.uk")
        cohort.facilitators.add(away, second)

        assert notifications.send_facilitator_digests(now=now) == 2
        assert notifications.send_facilitator_digests(now=now) == 0
        assert recipients() == [facilitator.email, second.email]
        assert notifications.send_facilitator_digests(now=now + datetime.timedelta(days=7)) == 2

    def test_nothing_for_archived_cohorts_or_cohorts_without_members(
        self, cohort, course, facilitator, people, now, today
    ) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(archived=True)
        empty = Cohort.objects.create(
            name="Empty", course=course, start_date=today - datetime.timedelta(days=3)
        )
        empty.facilitators.add(facilitator)

        assert notifications.send_facilitator_digests(now=now) == 0
        assert mail.outbox == []


# --- Due-date reminders -----------------------------------------------------------
@pytest.fixture
def second_module(cohort, modules, exercise_named) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    """Due in 3 days: 1 lesson and the 2 exercises it embeds."""
    schedule = ModuleSchedule.objects.get(cohort=cohort, module=modules[1])
    [lesson] = lessons_of(modules[1])
    done = join(cohort, email="done@example.gov.uk")
    read(done, lesson)
    answer(done, exercise_named("flaws"), correct=False)
    answer(done, exercise_named("wet-years"), correct=True)
    half = join(cohort, email="half@example.gov.uk", first_name="Hal")
    read(half, lesson)
    answer(half, exercise_named("flaws"), correct=True)
    untouched = join(cohort, email="untouched@example.gov.uk")
    join(cohort, email="quiet@example.gov.uk", progress_emails=False)
    Membership.objects.create(cohort=cohort, email="invited@example.gov.uk")
    return SimpleNamespace(schedule=schedule, lesson=lesson, half=half, untouched=untouched)


class TestDueDateReminders:
    def test_only_members_who_have_not_finished_the_module(
        self, second_module, today, django_assert_max_num_queries
    ) -> None:
        # A few queries for the module, then per email: savepoint, claim, release.
        with django_assert_max_num_queries(7 + 3 * 2):
            assert notifications.send_due_date_reminders(today=today) == 2

        assert recipients() == ["half@example.gov.uk", "untouched@example.gov.uk"]
        assert set(Notification.objects.values_list("kind", "key")) == {
            (
                Kind.DUE_REMINDER,
                f"due:{second_module.schedule.pk}:{second_module.schedule.due_date}",
            )
        }

    def test_says_what_is_left_and_links_to_the_module(self, second_module, today) -> None:
        notifications.send_due_date_reminders(today=today)

        message = next(m for m in mail.outbox if m.to == ["half@example.gov.uk"])
        due = second_module.schedule.due_date
        assert message.subject == "Data Masterclass: Next steps is due in 3 days"
        assert message.body.startswith("Hello Hal,")
        assert f"Next steps in Mini course is due in 3 days, on {due:%A} {due.day}" in message.body
        assert "you have read 1 of 1 lesson and answered 1 of 2 exercises" in message.body
        assert f"{SITE}/courses/mini-course/#module-next-steps" in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.extra_headers["List-Unsubscribe"].strip("<>") in message.body

    def test_once_per_due_date_and_again_when_the_date_moves(self, second_module, today) -> None:
        assert notifications.send_due_date_reminders(today=today) == 2
        assert notifications.send_due_date_reminders(today=today + datetime.timedelta(days=1)) == 0

        schedule = second_module.schedule
        schedule.due_date = today + datetime.timedelta(days=2)
        schedule.save()
        assert notifications.send_due_date_reminders(today=today + datetime.timedelta(days=1)) == 2
        assert mail.outbox[-1].subject == "Data Masterclass: Next steps is due tomorrow"
        assert Notification.objects.filter(kind=Kind.DUE_REMINDER).count() == 4

    def test_only_within_the_reminder_window(self, second_module, today, settings) -> None:
        schedule = second_module.schedule
        schedule.due_date = today + datetime.timedelta(days=4)
        schedule.save()
        assert notifications.send_due_date_reminders(today=today) == 0  # not yet

        settings.DUE_REMINDER_DAYS = 4
        assert notifications.send_due_date_reminders(today=today) == 2

        # The first module was due yesterday: past, so no reminder about it.
        assert not Notification.objects.exclude(key__startswith=f"due:{schedule.pk}:").exists()

    def test_a_module_due_today_is_still_reminded(self, second_module, today) -> None:
        schedule = second_module.schedule
        schedule.due_date = today
        schedule.save()
        assert notifications.send_due_date_reminders(today=today) == 2
        assert mail.outbox[0].subject == "Data Masterclass: Next steps is due today"

    def test_nothing_for_archived_cohorts(self, cohort, second_module, today) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(archived=True)
        assert notifications.send_due_date_reminders(today=today) == 0


# --- Opting out ---------------------------------------------------------------------
@pytest.fixture
def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def unsubscribe_path(user: User) -> str:
    token = notifications.unsubscribe_token(user=user)
    return reverse("cohorts:unsubscribe", kwargs={"token": token})


class TestUnsubscribe:
    def test_the_page_asks_first_and_changes_nothing(self, csrf_client, learner) -> None:
        response = csrf_client.get(unsubscribe_path(learner))

        assert response.status_code == 200
        html = response.content.decode()
        assert "<title>Stop weekly progress emails? – Data Masterclass</title>" in html
        assert '<h1 class="govuk-heading-l">Stop weekly progress emails?</h1>' in html
        assert "Stop progress emails</button>" in html
        learner.refresh_from_db()
        assert learner.progress_emails is True

    def test_confirming_stops_progress_emails(self, csrf_client, learner) -> None:
        response = csrf_client.post(unsubscribe_path(learner))

        assert response.status_code == 200
        assert "govuk-panel--confirmation" in response.content.decode()
        assert "Progress emails stopped" in response.content.decode()
        learner.refresh_from_db()
        assert learner.progress_emails is False

    def test_one_click_from_the_mail_client_needs_no_page_or_cookie(
        self, csrf_client, learner
    ) -> None:
        response = csrf_client.post(
            unsubscribe_path(learner),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )

        assert response.status_code == 200
        learner.refresh_from_db()
        assert learner.progress_emails is False

    def test_link_from_an_email_opts_out_only_its_recipient(self, csrf_client, people, now) -> None:
        notifications.send_weekly_progress_emails(now=now)
        message = next(m for m in mail.outbox if m.to == ["behind@example.gov.uk"])
        link = message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix(SITE)

        assert csrf_client.post(link).status_code == 200

        assert User.objects.get(pk=people.behind.pk).progress_emails is False
        assert User.objects.get(pk=people.inactive.pk).progress_emails is True
        assert notifications.send_weekly_progress_emails(now=now + datetime.timedelta(7)) == 2

    def test_already_stopped_says_so(self, csrf_client, learner) -> None:
        User.objects.filter(pk=learner.pk).update(progress_emails=False)
        response = csrf_client.get(unsubscribe_path(learner))
        assert "already stopped" in response.content.decode()
        assert "Stop progress emails</button>" not in response.content.decode()

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_bad_link_is_not_valid_and_changes_nothing(
        self, csrf_client, learner, method
    ) -> None:
        good = notifications.unsubscribe_token(user=learner)
        other_user = UserFactory()
        deleted = notifications.unsubscribe_token(user=other_user)
        other_user.delete()
        tokens = [
            "garbage",
            good[:-2] + ("AA" if not good.endswith("AA") else "BB"),  # tampered signature
            signing.dumps(learner.pk),  # signed for another purpose
            signing.dumps(learner.pk, salt=notifications.UNSUBSCRIBE_SALT, key="not-our-key"),
            signing.dumps("x", salt=notifications.UNSUBSCRIBE_SALT),
            deleted,
            "a:b:c",
        ]
        for token in tokens:
            url = reverse("cohorts:unsubscribe", kwargs={"token": token})
            response = getattr(csrf_client, method)(url)
            assert response.status_code == 404, token
            assert "This link is not valid" in response.content.decode()
        learner.refresh_from_db()
        assert learner.progress_emails is True

    def test_other_methods_are_refused(self, csrf_client, learner) -> None:
        assert csrf_client.put(unsubscribe_path(learner)).status_code == 405
        learner.refresh_from_db()
        assert learner.progress_emails is True


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_unsubscribe_pages_in_a_browser(page, axe, learner) -> None:
    page.goto(unsubscribe_path(learner))
    axe(page)
    page.get_by_role("button", name="Stop progress emails").click()
    page.get_by_role("heading", name="Progress emails stopped").wait_for()
    axe(page)
    learner.refresh_from_db()
    assert learner.progress_emails is False
    page.goto(reverse("cohorts:unsubscribe", kwargs={"token": "not-a-token"}))
    assert page.get_by_role("heading", level=1).inner_text() == "This link is not valid"
    axe(page)
