"""Scheduled emails for cohorts: a weekly progress email to learners who are falling behind,
a weekly digest for facilitators, and reminders before a module's due date.

Every email claims a ``Notification`` row (kind, recipient, cohort, key) in the same
transaction as it is sent. The row is unique, so running a job again (a second beat, a
redelivered task) sends nothing twice; if sending fails, the claim rolls back and the next run
tries again. A failure for one recipient is logged and does not stop the others.

Beat runs every job daily at 08:00 (settings.CELERY_BEAT_SCHEDULE). The weekly emails are
keyed by ISO week, so the first run of the week (Monday's, normally) sends them and the later
runs send only what is still owed that week: a run that failed, or a learner who has fallen
behind since, is made up the next day rather than lost for the week.

The jobs take ``now`` or ``today`` as arguments so that weeks and due dates can be tested.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohorts import analysis, reports, selectors
from cohorts.models import Cohort, Membership, ModuleSchedule, Notification
from cohorts.reports import CourseShape, ModuleCounts, ModuleShape
from cohorts.selectors import Expectations, Status
from courses.models import LessonCompletion
from exercises.models import Exercise

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "Data Masterclass: "


class Kind:
    WEEKLY_PROGRESS = "weekly_progress"
    FACILITATOR_DIGEST = "facilitator_digest"
    DUE_REMINDER = "due_reminder"


# The weekly email goes to learners who are behind and to those who are inactive: a learner
# who has stopped coming back is falling behind even before the next due date shows it. The
# email only states where they are and what is next, so it reads right for both.
WEEKLY_STATUSES = (Status.BEHIND, Status.INACTIVE)
# The digest's hardest questions: the lowest share answered correctly, among questions whose
# figures the question analysis shows (answers marked for REPORT_MIN_GROUP_SIZE learners).
HARDEST_QUESTIONS = 3
# Learners named in the digest as needing attention; the rest are counted.
DIGEST_NAMES_SHOWN = 25

UNSUBSCRIBE_SALT = "cohorts.notifications.unsubscribe-progress-emails"


# --- Opting out -------------------------------------------------------------
def unsubscribe_token(*, user: User) -> str:
    """A signed token naming the user, for the opt-out link. It does not expire: the link in
    an old email should still work."""
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_for_unsubscribe_token(*, token: str) -> User | None:
    """The user an opt-out token names, or None when it is not one of ours."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id).first()


def unsubscribe_url(*, user: User) -> str:
    return absolute_url(
        reverse("cohorts:unsubscribe", kwargs={"token": unsubscribe_token(user=user)})
    )


def stop_progress_emails(*, user: User) -> None:
    """The learner no longer wants weekly progress emails or due-date reminders."""
    User.objects.filter(pk=user.pk).update(progress_emails=False)
    user.progress_emails = False


# --- Shared -------------------------------------------------------------------
def absolute_url(path: str) -> str:
    _check_site_url()
    return settings.SITE_URL.rstrip("/") + path


def _check_site_url() -> None:
    # Checked when a job starts, so that a missing setting fails the job once, loudly, rather
    # than once per recipient.
    if not settings.SITE_URL:
        raise ImproperlyConfigured("SITE_URL must be set for emails to link to the service.")


def week_key(*, now: datetime.datetime) -> str:
    """The ISO week of ``now`` in local time, such as "2026-W48": the key of weekly emails."""
    year, week, _ = timezone.localdate(now).isocalendar()
    return f"{year}-W{week:02d}"


def running_cohorts(*, today: datetime.date) -> QuerySet[Cohort]:
    """Cohorts that have started and are not archived."""
    return (
        Cohort.objects.filter(archived=False, start_date__lte=today)
        .select_related("course")
        .order_by("pk")
    )


def _expectations(*, cohort: Cohort, now: datetime.datetime) -> Expectations:
    expected = selectors.expectations(cohort=cohort, today=timezone.localdate(now))
    # The selector measures inactivity from the clock; a job measures it from its own `now`.
    days = settings.COHORT_INACTIVE_AFTER_DAYS
    return dataclasses.replace(expected, inactive_since=now - datetime.timedelta(days=days))


def _sent_to(*, kind: str, cohort: Cohort, key: str) -> QuerySet[Notification, Any]:
    return Notification.objects.filter(kind=kind, cohort=cohort, key=key).values("recipient_id")


def _opt_out_headers(url: str) -> dict[str, str]:
    # RFC 2369 and RFC 8058: mail clients offer "unsubscribe", done with one POST to the link.
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _email(
    *, template: str, context: dict[str, Any], to: str, headers: dict[str, str] | None = None
) -> EmailMultiAlternatives:
    subject = render_to_string(f"cohorts/email/{template}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=SUBJECT_PREFIX + " ".join(subject.split()),
        body=render_to_string(f"cohorts/email/{template}.txt", context),
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(
        render_to_string(f"cohorts/email/{template}.html", context), "text/html"
    )
    return message


def _learner_email(
    *, template: str, learner: User, context: dict[str, Any]
) -> EmailMultiAlternatives:
    """An email to a learner, with the link (and headers) to stop progress emails."""
    opt_out = unsubscribe_url(user=learner)
    return _email(
        template=template,
        context={**context, "name": learner.first_name, "unsubscribe_url": opt_out},
        to=learner.email,
        headers=_opt_out_headers(opt_out),
    )


def _send_once(
    *,
    kind: str,
    recipient: User,
    cohort: Cohort,
    key: str,
    build: Callable[[], EmailMultiAlternatives],
) -> bool:
    """Claim the notification and send its email in one transaction; True if it was sent.

    If sending raises, the claim rolls back and the next run tries again. If another run
    claimed it first, nothing is sent (on PostgreSQL the insert waits for that run to commit,
    then fails on the unique constraint). An email that was sent cannot be unsent, so if the
    commit itself fails after sending, the next run sends it again (at least once, not lost).
    Call outside a transaction, so that each email commits on its own.
    """
    try:
        message = build()
        with transaction.atomic():
            Notification.objects.create(kind=kind, recipient=recipient, cohort=cohort, key=key)
            message.send()
    except IntegrityError:
        return False
    except Exception:
        logger.exception(
            "Could not send the %s email (%s) to user %s of cohort %s",
            kind, key, recipient.pk, cohort.pk,
        )  # fmt: skip
        return False
    return True


def _next_due(*, cohort: Cohort, today: datetime.date) -> ModuleSchedule | None:
    return (
        ModuleSchedule.objects.filter(cohort=cohort, due_date__gte=today)
        .select_related("module")
        .order_by("due_date", "module__position")
        .first()
    )


def _course_url(cohort: Cohort) -> str:
    return absolute_url(reverse("courses:course", kwargs={"course": cohort.course.slug}))


# --- Weekly progress email to learners --------------------------------------
def learners_for_weekly_email(
    *, cohort: Cohort, now: datetime.datetime, key: str
) -> QuerySet[Membership]:
    """Members who should get this week's progress email and have not had it yet: behind or
    inactive, with an active account and progress emails on."""
    members = selectors.members_with_progress(
        cohort=cohort, expected=_expectations(cohort=cohort, now=now)
    )
    # mypy's Django plugin does not see the `status` annotation.
    wanted = members.filter(status__in=WEEKLY_STATUSES)  # type: ignore[misc]
    return (
        wanted.filter(learner__is_active=True, learner__progress_emails=True)
        .exclude(learner__in=_sent_to(kind=Kind.WEEKLY_PROGRESS, cohort=cohort, key=key))
        .order_by("pk")
    )


def send_weekly_progress_emails(*, now: datetime.datetime | None = None) -> int:
    """This week's progress email to each learner who is behind, in every running cohort.
    Returns how many were sent."""
    _check_site_url()
    now = now or timezone.now()
    key = week_key(now=now)
    sent = sum(
        _send_weekly_progress_for(cohort=cohort, now=now, key=key)
        for cohort in running_cohorts(today=timezone.localdate(now))
    )
    logger.info("Sent %s weekly progress emails for %s", sent, key)
    return sent


def _send_weekly_progress_for(*, cohort: Cohort, now: datetime.datetime, key: str) -> int:
    members = list(learners_for_weekly_email(cohort=cohort, now=now, key=key))
    if not members:
        return 0
    shared = {
        "cohort": cohort,
        "course": cohort.course,
        "totals": reports.course_shape(course=cohort.course),
        "next_due": _next_due(cohort=cohort, today=timezone.localdate(now)),
        "course_url": _course_url(cohort),
    }
    sent = 0
    for member in members:
        learner = member.learner
        assert learner is not None  # filtered on the learner's account

        context = {
            **shared,
            "lessons_read": member.lessons_read,  # type: ignore[attr-defined]
            "exercises_answered": member.exercises_answered,  # type: ignore[attr-defined]
        }
        build = partial(_learner_email, template="progress", learner=learner, context=context)
        sent += _send_once(
            kind=Kind.WEEKLY_PROGRESS, recipient=learner, cohort=cohort, key=key, build=build
        )
    return sent


# --- Weekly digest for facilitators -------------------------------------------
@dataclass(frozen=True)
class StatusCount:
    label: str
    count: int


@dataclass(frozen=True)
class HardQuestion:
    title: str
    answered: int
    correct: int
    url: str

    @property
    def percent_correct(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0


@dataclass(frozen=True)
class LearnerLine:
    """A learner who needs attention. ``exercises_correct`` is None when the learner keeps
    their answers private: facilitators then see their name and completion, not their scores."""

    name: str
    status: str
    lessons_read: int
    exercises_answered: int
    exercises_correct: int | None


@dataclass(frozen=True)
class Digest:
    cohort: Cohort
    statuses: list[StatusCount]
    members: int
    lessons_read_this_week: int
    hardest: list[HardQuestion]
    needs_attention: list[LearnerLine]
    more_needing_attention: int
    totals: CourseShape
    dashboard_url: str


def hardest_questions(*, cohort: Cohort, limit: int = HARDEST_QUESTIONS) -> list[HardQuestion]:
    """The questions the cohort's learners most often got wrong: the lowest share correct,
    counted as the question analysis counts it (``reports.item_statistics``: learners with a
    marked answer), among questions with figures to show and not everyone right."""
    statistics = {
        exercise_id: figures
        for exercise_id, figures in reports.item_statistics(cohort=cohort).items()
        if analysis.enough_to_show(
            answered=figures.answered, min_learners=settings.REPORT_MIN_GROUP_SIZE
        )
        and figures.correct < figures.answered
    }

    def hardest_first(exercise: Exercise) -> tuple[float, int, str]:
        figures = statistics[exercise.pk]
        return figures.correct / figures.answered, -figures.answered, exercise.title

    exercises = Exercise.objects.filter(pk__in=statistics).only("pk", "slug", "title")
    hardest = sorted(exercises, key=hardest_first)[:limit]
    return [
        HardQuestion(
            title=exercise.title,
            answered=statistics[exercise.pk].answered,
            correct=statistics[exercise.pk].correct,
            url=absolute_url(
                reverse("cohorts:item", kwargs={"cohort": cohort.pk, "exercise": exercise.slug})
            ),
        )
        for exercise in hardest
    ]


def cohort_digest(*, cohort: Cohort, now: datetime.datetime) -> Digest:
    members = selectors.members_with_progress(
        cohort=cohort, expected=_expectations(cohort=cohort, now=now)
    )
    counts = selectors.status_counts(members=members)
    attention = list(
        members.filter(status__in=WEEKLY_STATUSES).order_by(  # type: ignore[misc]
            "status", "learner__last_name", "learner__first_name", "email"
        )[:DIGEST_NAMES_SHOWN]
    )
    lines = [
        LearnerLine(
            name=str(member.learner),
            status=Status.LABELS[member.status],  # type: ignore[attr-defined]
            lessons_read=member.lessons_read,  # type: ignore[attr-defined]
            exercises_answered=member.exercises_answered,  # type: ignore[attr-defined]
            exercises_correct=(
                None
                if member.learner is None or member.learner.answers_private
                else member.exercises_correct  # type: ignore[attr-defined]
            ),
        )  # fmt: skip
        for member in attention
    ]
    needing_attention = counts[Status.BEHIND] + counts[Status.INACTIVE]
    week_ago = now - datetime.timedelta(days=7)
    lessons_read = LessonCompletion.objects.filter(
        learner__in=Membership.objects.filter(cohort=cohort).values("learner_id"),
        lesson__module__course=cohort.course_id,
        completed_at__gt=week_ago,
        completed_at__lte=now,
    ).count()
    return Digest(
        cohort=cohort,
        statuses=[StatusCount(label=Status.LABELS[s], count=counts[s]) for s in Status.LABELS],
        members=sum(counts.values()),
        lessons_read_this_week=lessons_read,
        hardest=hardest_questions(cohort=cohort),
        needs_attention=lines,
        more_needing_attention=needing_attention - len(lines),
        totals=reports.course_shape(course=cohort.course),
        dashboard_url=absolute_url(cohort.get_absolute_url()),
    )


def send_facilitator_digests(*, now: datetime.datetime | None = None) -> int:
    """This week's digest to each facilitator of every running cohort that has members.
    Returns how many were sent."""
    _check_site_url()
    now = now or timezone.now()
    key = week_key(now=now)
    sent = 0
    for cohort in running_cohorts(today=timezone.localdate(now)):
        facilitators = list(
            cohort.facilitators.filter(is_active=True)
            .exclude(pk__in=_sent_to(kind=Kind.FACILITATOR_DIGEST, cohort=cohort, key=key))
            .order_by("pk")
        )
        if not facilitators or not Membership.objects.filter(cohort=cohort).exists():
            continue
        digest = cohort_digest(cohort=cohort, now=now)
        for facilitator in facilitators:
            context = {"digest": digest, "cohort": cohort, "name": facilitator.first_name}
            build = partial(_email, template="digest", context=context, to=facilitator.email)
            sent += _send_once(
                kind=Kind.FACILITATOR_DIGEST, recipient=facilitator, cohort=cohort, key=key,
                build=build,
            )  # fmt: skip
    logger.info("Sent %s facilitator digests for %s", sent, key)
    return sent


# --- Due-date reminders -------------------------------------------------------
def reminder_key(schedule: ModuleSchedule) -> str:
    """One reminder per module schedule and due date: a moved due date reminds again."""
    assert schedule.due_date is not None
    return f"due:{schedule.pk}:{schedule.due_date.isoformat()}"


def schedules_due_soon(*, today: datetime.date) -> QuerySet[ModuleSchedule]:
    """Modules of running cohorts due today or within ``DUE_REMINDER_DAYS``."""
    return (
        ModuleSchedule.objects.filter(
            cohort__archived=False,
            cohort__start_date__lte=today,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=settings.DUE_REMINDER_DAYS),
        )
        .select_related("cohort__course", "module")
        .order_by("due_date", "pk")
    )


@dataclass(frozen=True)
class ModuleProgress:
    member: Membership
    lessons_read: int
    exercises_answered: int


def unfinished_members(*, schedule: ModuleSchedule) -> tuple[list[ModuleProgress], ModuleShape]:
    """Joined members (active, progress emails on) who have not read every lesson of the
    module or not answered every one of its exercises, and have not had this reminder yet;
    with the module's own numbers of lessons and exercises. Counted as the dashboard counts
    a module's completion (``reports.module_figures``)."""
    cohort = schedule.cohort
    shape = reports.course_shape(course=cohort.course)
    module = next((m for m in shape.modules if m.id == schedule.module_id), None)
    if module is None:  # a module of another course: nothing this cohort can finish
        empty = ModuleShape(
            id=schedule.module_id, title=schedule.module.title,
            position=schedule.module.position, lessons=0, exercises=0,
        )  # fmt: skip
        return [], empty
    members = list(
        Membership.objects.filter(
            cohort=schedule.cohort_id, learner__is_active=True, learner__progress_emails=True
        )
        .exclude(
            learner__in=_sent_to(kind=Kind.DUE_REMINDER, cohort=cohort, key=reminder_key(schedule))
        )
        .select_related("learner")
        .order_by("pk")
    )
    figures = reports.module_figures(
        course=cohort.course, learner_ids=[m.learner_id for m in members if m.learner_id]
    )
    unfinished = []
    for member in members:
        counts = figures.get(member.learner_id or 0, {}).get(module.id, ModuleCounts())
        if counts.lessons_read < module.lessons or counts.exercises_answered < module.exercises:
            unfinished.append(
                ModuleProgress(
                    member=member,
                    lessons_read=counts.lessons_read,
                    exercises_answered=counts.exercises_answered,
                )
            )
    return unfinished, module


def days_left_phrase(*, due: datetime.date, today: datetime.date) -> str:
    days = (due - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def send_due_date_reminders(*, today: datetime.date | None = None) -> int:
    """A reminder to each member who has not finished a module due within
    ``DUE_REMINDER_DAYS`` (once per module schedule and due date). Returns how many were sent."""
    _check_site_url()
    today = today or timezone.localdate()
    sent = 0
    for schedule in schedules_due_soon(today=today):
        sent += _send_reminders_for(schedule=schedule, today=today)
    logger.info("Sent %s due-date reminders for %s", sent, today.isoformat())
    return sent


def _send_reminders_for(*, schedule: ModuleSchedule, today: datetime.date) -> int:
    unfinished, module_totals = unfinished_members(schedule=schedule)
    if not unfinished:
        return 0
    cohort = schedule.cohort
    assert schedule.due_date is not None
    shared = {
        "cohort": cohort,
        "course": cohort.course,
        "module": schedule.module,
        "due_date": schedule.due_date,
        "when": days_left_phrase(due=schedule.due_date, today=today),
        "totals": module_totals,
        "module_url": _course_url(cohort) + f"#module-{schedule.module.slug}",
    }
    key = reminder_key(schedule)
    sent = 0
    for progress in unfinished:
        learner = progress.member.learner
        assert learner is not None  # filtered on the learner's account

        context = {
            **shared,
            "lessons_read": progress.lessons_read,
            "exercises_answered": progress.exercises_answered,
        }
        build = partial(_learner_email, template="reminder", learner=learner, context=context)
        sent += _send_once(
            kind=Kind.DUE_REMINDER, recipient=learner, cohort=cohort, key=key, build=build
        )
    return sent
