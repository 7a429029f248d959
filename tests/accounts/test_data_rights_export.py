""" "Your data": the page, and the JSON and CSV downloads of everything held about the
signed-in person, and no one else."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import data_export
from accounts.models import Invitation
from audit.models import AuditEvent
from courses.models import Course, LessonCompletion
from exercises.models import Submission
from progress.models import Certificate, CourseProgress, ExerciseProgress
from tests.accounts.data_rights_helpers import import_mini_course, import_second_course, mark, write
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.progress.helpers import read, right, wrong

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db: None) -> Course:
    """The small test course ("Mini course")."""
    return import_mini_course()


JSON_URL = "/accounts/your-data/download.json"


def csv_url(table: str) -> str:
    return f"/accounts/your-data/{table}.csv"


def iso(value: Any) -> Any:
    """A value as the JSON download writes it (dates as ISO 8601)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@pytest.fixture
def second_course(course: Course, tmp_path: Path) -> Course:
    return import_second_course(tmp_path)


@pytest.fixture
def history(learner: Any, course: Course, second_course: Course) -> dict[str, Any]:
    """The learner's record: two addresses, an invitation, a cohort joined and one invited to,
    a lesson read, answers on both courses (one written and marked by a tutor), a certificate.
    Another learner has answers and a cohort of their own, which must never show."""
    EmailAddress.objects.create(user=learner, email="alex.home@example.gov.uk", verified=True)
    Invitation.objects.create(email="learner@example.gov.uk")
    joined = MembershipFactory(
        cohort=CohortFactory(name="Spring leaders", course=course), learner=learner, group="HMT"
    )
    invited = MembershipFactory(
        cohort=CohortFactory(name="Autumn leaders", course=second_course),
        email="alex.home@example.gov.uk",
    )
    read(learner, course, "welcome")
    first = wrong(learner, course, "flow-1871")
    second = right(learner, course, "flow-1871")
    other_course = right(learner, second_course, "lowest-year", confidence=4)
    tutor = UserFactory(email="tutor@example.gov.uk")
    written = mark(write(learner, course, "One low year is noise."), tutor, [2, 1], "Well argued.")
    certificate = Certificate.objects.create(
        learner=learner,
        course=second_course,
        learner_name="Alex Learner",
        course_title="Second course",
        completed_at=second.submitted_at,
    )
    someone_else = UserFactory(email="someone.else@example.gov.uk")
    MembershipFactory(
        cohort=CohortFactory(name="Other cohort", course=course), learner=someone_else
    )
    right(someone_else, course, "lowest-year")
    write(someone_else, course, "Someone else's words.")
    return {
        "joined": joined,
        "invited": invited,
        "answers": [first, second, other_course, written],
        "certificate": certificate,
    }


def download(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response


class TestJsonDownload:
    def test_holds_exactly_the_learners_data_on_both_courses(
        self, client: Client, learner: Any, course: Course, second_course: Course, history: Any
    ) -> None:
        client.force_login(learner)
        response = download(client, JSON_URL)
        assert response["Content-Type"] == "application/json"
        assert response["Content-Disposition"].startswith(
            'attachment; filename="data-masterclass-your-data-'
        )
        assert response["Cache-Control"] == "no-store"
        document = json.loads(response.content)

        learner.refresh_from_db()
        first, second, other_course, written = (
            Submission.objects.get(pk=s.pk) for s in history["answers"]
        )
        progress = {p.course_id: p for p in CourseProgress.objects.filter(learner=learner)}
        records = {
            (r.course_id, r.exercise.slug): r
            for r in ExerciseProgress.objects.filter(learner=learner).select_related("exercise")
        }
        completion = LessonCompletion.objects.get(learner=learner)
        invitation = Invitation.objects.get()
        certificate = history["certificate"]

        def course_row(found: Course, title: str) -> dict[str, Any]:
            row = progress[found.pk]
            return {
                "course": title,
                "course_slug": found.slug,
                "lessons_read": row.lessons_read,
                "lessons_total": 3,
                "exercises_answered": row.exercises_answered,
                "exercises_correct": row.exercises_correct,
                "exercises_total": 8,
                "started_at": iso(row.started_at),
                "last_active_at": iso(row.last_active_at),
                "completed_at": None,
            }

        def record_row(found: Course, title: str, slug: str, name: str) -> dict[str, Any]:
            row = records[(found.pk, slug)]
            return {
                "course": title,
                "exercise": name,
                "attempts": row.attempts,
                "best_score": row.best_score,
                "correct": row.correct,
                "first_answered_at": iso(row.first_answered_at),
                "last_answered_at": iso(row.last_answered_at),
            }

        def answer_row(s: Submission, **expected: Any) -> dict[str, Any]:
            return {
                **expected,
                "feedback": s.feedback,
                "submitted_at": iso(s.submitted_at),
                "marked_at": iso(s.graded_at),
            }

        assert document == {
            "service": "Data Masterclass",
            "exported_at": document["exported_at"],
            "profile": {
                "email": "learner@example.gov.uk",
                "first_name": "Alex",
                "last_name": "Learner",
                "date_joined": iso(learner.date_joined),
                "last_login": iso(learner.last_login),
            },
            "preferences": {"progress_emails": True, "answers_private": False},
            "email_addresses": [
                {"email": "learner@example.gov.uk", "verified": True, "primary": True},
                {"email": "alex.home@example.gov.uk", "verified": True, "primary": False},
            ],
            "cohorts": [
                {
                    "cohort": "Spring leaders",
                    "course": "Mini course",
                    "invited_as": "learner@example.gov.uk",
                    "group": "HMT",
                    "invited_at": iso(history["joined"].invited_at),
                    "joined_at": iso(history["joined"].joined_at),
                },
                {
                    "cohort": "Autumn leaders",
                    "course": "Second course",
                    "invited_as": "alex.home@example.gov.uk",
                    "group": "",
                    "invited_at": iso(history["invited"].invited_at),
                    "joined_at": None,
                },
            ],
            "courses": [
                course_row(course, "Mini course"),
                course_row(second_course, "Second course"),
            ],
            "lessons": [
                {
                    "course": "Mini course",
                    "module": "First steps",
                    "lesson": "Welcome",
                    "read_at": iso(completion.completed_at),
                }
            ],
            "exercises": [
                record_row(course, "Mini course", "flow-1871", "Flow in 1871"),
                record_row(second_course, "Second course", "lowest-year", "The lowest year"),
                record_row(course, "Mini course", "what-is-noise", "Noise or signal?"),
            ],
            "answers": [
                answer_row(
                    first,
                    course="Mini course",
                    exercise="Flow in 1871",
                    exercise_kind="Numeric answer",
                    attempt=1,
                    answer={"value": 900.0},
                    answer_text="900",
                    confidence=None,
                    status="Marked",
                    score=0.0,
                    correct=False,
                    tutor_comment="",
                ),
                answer_row(
                    second,
                    course="Mini course",
                    exercise="Flow in 1871",
                    exercise_kind="Numeric answer",
                    attempt=2,
                    answer={"value": 1120.0},
                    answer_text="1,120",
                    confidence=None,
                    status="Marked",
                    score=1.0,
                    correct=True,
                    tutor_comment="",
                ),
                answer_row(
                    other_course,
                    course="Second course",
                    exercise="The lowest year",
                    exercise_kind="Chart reading",
                    attempt=1,
                    answer={"choice": 1},
                    answer_text="1873",
                    confidence=4,
                    status="Marked",
                    score=other_course.score,
                    correct=True,
                    tutor_comment="",
                ),
                answer_row(
                    written,
                    course="Mini course",
                    exercise="Noise or signal?",
                    exercise_kind="Written answer",
                    attempt=1,
                    answer={"text": "One low year is noise."},
                    answer_text="One low year is noise.",
                    confidence=None,
                    status="Marked",
                    score=1.0,
                    correct=True,
                    tutor_comment="Well argued.",
                ),
            ],
            "certificates": [
                {
                    "course": "Second course",
                    "name": "Alex Learner",
                    "completed_at": iso(certificate.completed_at),
                    "issued_at": iso(certificate.issued_at),
                    "link": f"http://127.0.0.1:8000/certificates/{certificate.code}/",
                }
            ],
            "invitations": [
                {
                    "email": "learner@example.gov.uk",
                    "invited_at": iso(invitation.created_at),
                    "accepted_at": None,
                }
            ],
        }
        # The feedback shown to the learner is there, not just the keys.
        assert document["answers"][3]["feedback"] == [
            "Says one year is not a trend: 2 of 2",
            "Mentions the years either side: 1 of 1",
        ]

    def test_never_includes_another_persons_data(
        self, client: Client, learner: Any, history: Any
    ) -> None:
        client.force_login(learner)
        text = download(client, JSON_URL).content.decode()
        assert "someone.else" not in text
        assert "Someone else's words" not in text
        assert "Other cohort" not in text
        assert "tutor@example.gov.uk" not in text

    def test_is_an_audit_event(self, client: Client, learner: Any) -> None:
        client.force_login(learner)
        download(client, JSON_URL)
        event = AuditEvent.objects.get(action="account.data_exported")
        assert (event.actor, event.details) == (learner, {"format": "json"})

    def test_query_count_does_not_grow_with_answers(
        self, client: Client, learner: Any, other_learner: Any, course: Course, history: Any
    ) -> None:
        many = Submission.objects.filter(learner=learner).first()
        assert many is not None
        Submission.objects.bulk_create(
            Submission(
                exercise=many.exercise,
                learner=other_learner,
                answer={"value": float(n)},
                attempt=n,
                exercise_version=1,
                state="graded",
                score=0.0,
                correct=False,
            )
            for n in range(300)
        )
        counts = []
        for person in (learner, other_learner):
            client.force_login(person)
            with CaptureQueriesContext(connection) as queries:
                download(client, JSON_URL)
            counts.append(len(queries))
        assert counts[0] == counts[1]

    def test_is_bounded_in_queries(
        self, client: Client, learner: Any, history: Any, django_assert_max_num_queries: Any
    ) -> None:
        # One query a table (two read the person's addresses).
        with django_assert_max_num_queries(10):
            data_export.personal_data(user=learner)
        with django_assert_max_num_queries(1):
            data_export.table_csv(table=data_export.TABLES_BY_SLUG["answers"], user=learner)
        # With the session, the rate limit (the database cache here: 9 queries; Redis: 2) and
        # the audit event.
        client.force_login(learner)
        with django_assert_max_num_queries(25):
            download(client, JSON_URL)
        with django_assert_max_num_queries(18):
            download(client, csv_url("answers"))


class TestCsvDownloads:
    def test_every_table_parses_with_its_headings(
        self, client: Client, learner: Any, history: Any
    ) -> None:
        client.force_login(learner)
        for table in data_export.TABLES:
            response = download(client, csv_url(table.slug))
            assert response["Content-Type"] == "text/csv; charset=utf-8"
            assert f'filename="data-masterclass-{table.slug}-' in response["Content-Disposition"]
            body = response.content.decode("utf-8")
            assert body.startswith("\ufeff")  # so that Excel reads UTF-8
            rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
            assert rows[0] == list(table.columns.values())
            assert len(rows) > 1, table.slug
        assert AuditEvent.objects.filter(action="account.data_exported").count() == len(
            data_export.TABLES
        )

    def test_answers_read_as_words_and_local_times(
        self, client: Client, learner: Any, history: Any
    ) -> None:
        client.force_login(learner)
        body = download(client, csv_url("answers")).content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(body)))
        assert [(r["Exercise"], r["Attempt"], r["Your answer"], r["Right"]) for r in rows] == [
            ("Flow in 1871", "1", "900", "No"),
            ("Flow in 1871", "2", "1,120", "Yes"),
            ("The lowest year", "1", "1873", "Yes"),
            ("Noise or signal?", "1", "One low year is noise.", "Yes"),
        ]
        assert rows[3]["Tutor's comment"] == "Well argued."
        assert rows[3]["Feedback"].splitlines() == [
            "Says one year is not a trend: 2 of 2",
            "Mentions the years either side: 1 of 1",
        ]
        assert len(rows[0]["Answered"]) == len("2026-01-01 12:00:00")

    def test_a_formula_in_an_answer_is_not_run_by_a_spreadsheet(
        self, client: Client, learner: Any, course: Course
    ) -> None:
        write(learner, course, '=HYPERLINK("http://example.com")')
        client.force_login(learner)
        body = download(client, csv_url("answers")).content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(body)))
        assert rows[0]["Your answer"] == '\'=HYPERLINK("http://example.com")'

    def test_only_the_signed_in_persons_rows(
        self, client: Client, other_learner: Any, history: Any
    ) -> None:
        client.force_login(other_learner)
        body = download(client, csv_url("answers")).content.decode("utf-8-sig")
        assert list(csv.reader(io.StringIO(body)))[1:] == []

    def test_an_unknown_table_is_not_found(self, client: Client, learner: Any) -> None:
        client.force_login(learner)
        assert client.get(csv_url("passwords")).status_code == 404


class TestAccess:
    @pytest.mark.parametrize(
        "url", ["/accounts/your-data/", JSON_URL, csv_url("answers"), "/accounts/delete/"]
    )
    def test_signed_out_people_are_sent_to_sign_in(self, client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_too_many_downloads_get_a_clear_429(
        self, client: Client, learner: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(settings.RATE_LIMITS, "data_export", "2/h/user")
        client.force_login(learner)
        download(client, JSON_URL)
        download(client, csv_url("profile"))
        response = client.get(JSON_URL)
        assert response.status_code == 429
        assert "downloaded your data many times in the last hour" in response.content.decode()
        assert AuditEvent.objects.filter(action="account.data_exported").count() == 2

    def test_the_limit_is_per_person(
        self, client: Client, learner: Any, other_learner: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(settings.RATE_LIMITS, "data_export", "1/h/user")
        client.force_login(learner)
        download(client, JSON_URL)
        client.force_login(other_learner)
        download(client, JSON_URL)


class TestPages:
    def test_your_data_lists_every_download_and_the_retention_period(
        self, client: Client, learner: Any
    ) -> None:
        client.force_login(learner)
        html = client.get("/accounts/your-data/").content.decode()
        assert JSON_URL in html
        for table in data_export.TABLES:
            assert csv_url(table.slug) in html
        assert "for 2 years" in html
        assert 'href="/accounts/delete/"' in html

    def test_reachable_from_settings_and_the_account_pages(
        self, client: Client, learner: Any
    ) -> None:
        client.force_login(learner)
        assert 'href="/accounts/your-data/"' in client.get("/progress/settings/").content.decode()
        assert 'href="/accounts/delete/"' in client.get("/progress/settings/").content.decode()
        assert 'href="/accounts/your-data/"' in client.get("/accounts/email/").content.decode()

    def test_privacy_notice_gives_the_retention_period_from_settings(
        self, client: Client, settings: Any
    ) -> None:
        assert "for 2 years" in client.get("/privacy").content.decode()
        settings.ACCOUNT_RETENTION_DAYS = 90
        assert "for 90 days" in client.get("/privacy").content.decode()
        settings.ACCOUNT_RETENTION_DAYS = 0
        assert "until you delete it" in client.get("/privacy").content.decode()
