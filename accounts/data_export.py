"""What we hold about one person, for them to download: the reads behind "Your data".

Every kind of record is a ``Table``: one list of rows (plain dicts), read in one query, and the
columns a spreadsheet shows for it. The JSON download puts every table in one document; the CSV
downloads give one file per table, with headings in words and dates in UK time, so that each
opens straight in a spreadsheet. Only the person's own rows are ever read: every query filters
on their account or on their own email addresses.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from accounts.models import Invitation, User
from cohorts.models import Membership
from courses.models import LessonCompletion
from exercises.models import Submission
from exercises.presenters import answer_text
from progress.models import Certificate, CourseProgress, ExerciseProgress

Row = dict[str, Any]


@dataclass(frozen=True)
class Table:
    """One kind of record: its rows come from ``read``; ``columns`` maps each row key shown in
    the CSV file to its heading."""

    slug: str
    title: str
    description: str
    columns: dict[str, str]
    read: Callable[[User], list[Row]]

    @property
    def filename(self) -> str:
        return f"data-masterclass-{self.slug}.csv"


def own_addresses(*, user: User) -> set[str]:
    """Every address of the account, lower case: its sign-in address and the others it has
    proved it owns (an unverified one may be someone else's)."""
    addresses = {user.email.lower()}
    verified = EmailAddress.objects.filter(user=user, verified=True)
    addresses.update(email.lower() for email in verified.values_list("email", flat=True))
    return addresses


# --- The tables --------------------------------------------------------------------------------
def _profile(user: User) -> list[Row]:
    return [
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "progress_emails": user.progress_emails,
            "answers_private": user.answers_private,
        }
    ]


def _email_addresses(user: User) -> list[Row]:
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    ]


def _cohorts(user: User) -> list[Row]:
    """Cohorts joined, and invitations to cohorts at any of the person's addresses."""
    invited = Q(learner__isnull=True, email__in=own_addresses(user=user))
    memberships = (
        Membership.objects.filter(Q(learner=user) | invited)
        .select_related("cohort__course")
        .order_by("invited_at", "pk")
    )
    return [
        {
            "cohort": membership.cohort.name,
            "course": membership.cohort.course.title,
            "invited_as": membership.email,
            "group": membership.group,
            "invited_at": membership.invited_at,
            "joined_at": membership.joined_at,
        }
        for membership in memberships
    ]


def _courses(user: User) -> list[Row]:
    return [
        {
            "course": progress.course.title,
            "course_slug": progress.course.slug,
            "lessons_read": progress.lessons_read,
            "lessons_total": progress.lessons_total,
            "exercises_answered": progress.exercises_answered,
            "exercises_correct": progress.exercises_correct,
            "exercises_total": progress.exercises_total,
            "started_at": progress.started_at,
            "last_active_at": progress.last_active_at,
            "completed_at": progress.completed_at,
        }
        for progress in CourseProgress.objects.filter(learner=user)
        .select_related("course")
        .order_by("started_at", "pk")
    ]


def _lessons(user: User) -> list[Row]:
    return [
        {
            "course": completion.lesson.module.course.title,
            "module": completion.lesson.module.title,
            "lesson": completion.lesson.title,
            "read_at": completion.completed_at,
        }
        for completion in LessonCompletion.objects.filter(learner=user)
        .select_related("lesson__module__course")
        .order_by("completed_at", "pk")
    ]


def _exercises(user: User) -> list[Row]:
    return [
        {
            "course": record.course.title,
            "exercise": record.exercise.title,
            "attempts": record.attempts,
            "best_score": record.best_score,
            "correct": record.correct,
            "first_answered_at": record.first_answered_at,
            "last_answered_at": record.last_answered_at,
        }
        for record in ExerciseProgress.objects.filter(learner=user)
        .select_related("course", "exercise")
        .order_by("first_answered_at", "pk")
    ]


def _answers(user: User) -> list[Row]:
    submissions = (
        Submission.objects.filter(learner=user)
        .select_related("exercise__course")
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "course": submission.exercise.course.title,
            "exercise": submission.exercise.title,
            "exercise_kind": submission.exercise.get_kind_display(),
            "attempt": submission.attempt,
            "answer": submission.answer,
            "answer_text": answer_text(submission),
            "confidence": submission.confidence,
            "status": submission.get_state_display(),
            "score": submission.score,
            "correct": submission.correct,
            "feedback": list(submission.feedback or []),
            "tutor_comment": submission.tutor_comment,
            "submitted_at": submission.submitted_at,
            "marked_at": submission.graded_at,
        }
        for submission in submissions.iterator(chunk_size=2000)
    ]


def _certificates(user: User) -> list[Row]:
    return [
        {
            "course": certificate.course_title,
            "name": certificate.learner_name,
            "completed_at": certificate.completed_at,
            "issued_at": certificate.issued_at,
            "link": settings.SITE_URL + certificate.get_absolute_url(),
        }
        for certificate in Certificate.objects.filter(learner=user).order_by("issued_at", "pk")
    ]


def _invitations(user: User) -> list[Row]:
    """Invitations to create an account, sent to any of the person's addresses."""
    return [
        {
            "email": invitation.email,
            "invited_at": invitation.created_at,
            "accepted_at": invitation.accepted_at,
        }
        for invitation in Invitation.objects.filter(email__in=own_addresses(user=user)).order_by(
            "created_at", "pk"
        )
    ]


TABLES: tuple[Table, ...] = (
    Table(
        "profile",
        "Your profile and choices",
        "Your name, email address, when you joined and last signed in, and your choices about "
        "emails and privacy.",
        {
            "email": "Email address",
            "first_name": "First name",
            "last_name": "Last name",
            "date_joined": "Joined",
            "last_login": "Last signed in",
            "progress_emails": "Weekly progress emails",
            "answers_private": "Answers kept private from facilitators",
        },
        _profile,
    ),
    Table(
        "email-addresses",
        "Your email addresses",
        "The addresses on your account and whether each is confirmed.",
        {"email": "Email address", "verified": "Confirmed", "primary": "Main address"},
        _email_addresses,
    ),
    Table(
        "cohorts",
        "Your cohorts",
        "The cohorts you joined or were invited to, and the group they put you in.",
        {
            "cohort": "Cohort",
            "course": "Course",
            "invited_as": "Invited at address",
            "group": "Group",
            "invited_at": "Invited",
            "joined_at": "Joined",
        },
        _cohorts,
    ),
    Table(
        "courses",
        "Your progress on each course",
        "How many lessons you have read and exercises you have answered on each course.",
        {
            "course": "Course",
            "lessons_read": "Lessons read",
            "lessons_total": "Lessons in the course",
            "exercises_answered": "Exercises answered",
            "exercises_correct": "Exercises right",
            "exercises_total": "Exercises in the course",
            "started_at": "Started",
            "last_active_at": "Last active",
            "completed_at": "Finished",
        },
        _courses,
    ),
    Table(
        "lessons",
        "Lessons you have read",
        "Each lesson you marked as read, and when.",
        {"course": "Course", "module": "Module", "lesson": "Lesson", "read_at": "Read"},
        _lessons,
    ),
    Table(
        "exercises",
        "Your record on each exercise",
        "Attempts, best score and whether you got each exercise right.",
        {
            "course": "Course",
            "exercise": "Exercise",
            "attempts": "Attempts",
            "best_score": "Best score",
            "correct": "Right",
            "first_answered_at": "First answered",
            "last_answered_at": "Last answered",
        },
        _exercises,
    ),
    Table(
        "answers",
        "Every answer you have given",
        "Each attempt at each exercise: your answer, its score, the feedback and the dates.",
        {
            "course": "Course",
            "exercise": "Exercise",
            "exercise_kind": "Kind of exercise",
            "attempt": "Attempt",
            "answer_text": "Your answer",
            "confidence": "Your confidence",
            "status": "Status",
            "score": "Score",
            "correct": "Right",
            "feedback": "Feedback",
            "tutor_comment": "Tutor's comment",
            "submitted_at": "Answered",
            "marked_at": "Marked",
        },
        _answers,
    ),
    Table(
        "certificates",
        "Your certificates",
        "The certificates you have been given, the name printed on each, and its link.",
        {
            "course": "Course",
            "name": "Name on the certificate",
            "completed_at": "Course finished",
            "issued_at": "Issued",
            "link": "Link",
        },
        _certificates,
    ),
    Table(
        "invitations",
        "Invitations to join",
        "Invitations to create an account that were sent to your email addresses.",
        {"email": "Email address", "invited_at": "Invited", "accepted_at": "Accepted"},
        _invitations,
    ),
)
TABLES_BY_SLUG = {table.slug: table for table in TABLES}


# --- The downloads -----------------------------------------------------------------------------
def personal_data(*, user: User, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Everything in one document: the profile and choices as objects, every other table as a
    list of rows, in the order the tables are listed."""
    profile = _profile(user)[0]
    document: dict[str, Any] = {
        "service": "Data Masterclass",
        "exported_at": now or timezone.now(),
        "profile": {
            key: profile[key]
            for key in ("email", "first_name", "last_name", "date_joined", "last_login")
        },
        "preferences": {
            "progress_emails": profile["progress_emails"],
            "answers_private": profile["answers_private"],
        },
    }
    for table in TABLES[1:]:
        document[table.slug.replace("-", "_")] = table.read(user)
    return document


def personal_data_json(*, user: User, now: datetime.datetime | None = None) -> str:
    return json.dumps(personal_data(user=user, now=now), cls=DjangoJSONEncoder, indent=2)


# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list):
        value = "\n".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def table_csv(*, table: Table, user: User) -> str:
    """The table as CSV text, headings first. Starts with a byte order mark, so that Excel
    reads it as UTF-8 (names with accents stay right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(table.columns.values())
    writer.writerows(_rows(table.read(user), table.columns))
    return buffer.getvalue()


def _rows(rows: Iterable[Row], columns: dict[str, str]) -> Iterable[list[str | int | float]]:
    for row in rows:
        yield [_cell(row[key]) for key in columns]
