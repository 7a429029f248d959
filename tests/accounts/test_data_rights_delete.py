"""Deleting an account: the confirm page, who may not, and what anonymising keeps and removes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from django.test import Client

from accounts import data_rights
from accounts.data_rights import AccountCannotBeClosed, Reason, anonymise_user
from accounts.models import Invitation, User
from audit import services as audit
from audit.models import AuditEvent
from authoring import services as authoring
from authoring.models import CourseRole, Role
from cohorts import reports, selectors
from cohorts.models import Cohort, Membership
from courses.models import Course
from exercises.models import Submission
from progress.models import Certificate, CourseProgress, ExerciseProgress
from tests.accounts.data_rights_helpers import import_mini_course, mark, reauthenticate, write
from tests.accounts.factories import PASSWORD, UserFactory, give_totp
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.progress.helpers import read, right, wrong

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(db: None) -> Course:
    """The small test course ("Mini course")."""
    return import_mini_course()


DELETE = "/accounts/delete/"


def text_of(response: Any) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("<main") :]))


@pytest.fixture
def me(client: Client, learner: Any) -> Client:
    """The learner, signed in, who has just confirmed their password."""
    client.force_login(learner)
    reauthenticate(client)
    return client


@pytest.fixture
def cohort(course: Course, learner: Any) -> Cohort:
    """A cohort of six on the course, in two groups, the learner among them, with answers of
    every kind: right, wrong, and written answers marked by a tutor."""
    found = CohortFactory(course=course)
    tutor = UserFactory(email="tutor@example.gov.uk")
    members = [learner] + [UserFactory() for _ in range(5)]
    for n, person in enumerate(members):
        MembershipFactory(cohort=found, learner=person, group="HMT" if n % 2 else "DfE")
        read(person, course, "welcome")
        (right if n % 3 else wrong)(person, course, "flow-1871")
        right(person, course, "lowest-year")
        words = f"Reason {n % 2}" if n else "My own reason"
        mark(write(person, course, words), tutor, [0, 0], "Not yet.")
    # The same wrong answer again: still one "different" answer once anonymised.
    mark(write(learner, course, "My own reason"), tutor, [0, 1], "Closer.")
    return found


def aggregates(cohort: Cohort) -> Any:
    """Every figure that facilitators and reports show for the cohort, from the real reads."""
    members = selectors.members_with_progress(cohort=cohort)
    learner_ids = list(
        Membership.objects.filter(cohort=cohort).values_list("learner_id", flat=True)
    )
    module_figures = reports.module_figures(course=cohort.course, learner_ids=learner_ids)
    return {
        "statuses": selectors.status_counts(members=members),
        "groups": reports.group_figures(cohort=cohort),
        "items": reports.item_statistics(cohort=cohort),
        "wrong": reports.common_wrong_answers(cohort=cohort, top=3),
        "different": reports.different_wrong_answers(cohort=cohort),
        "modules": {k: {m: vars(c) for m, c in v.items()} for k, v in module_figures.items()},
        "group_modules": reports.group_module_figures(cohort=cohort),
    }


class TestAnonymiseUser:
    def test_keeps_every_cohort_and_question_figure(self, cohort: Cohort, learner: Any) -> None:
        before = aggregates(cohort)
        assert before["different"]  # written answers are in the figures
        assert anonymise_user(user=learner, reason=Reason.REQUESTED)
        assert aggregates(cohort) == before

    def test_removes_who_they_were(self, cohort: Cohort, learner: Any, course: Course) -> None:
        EmailAddress.objects.create(user=learner, email="Alex.Home@example.gov.uk", verified=True)
        give_totp(learner)
        Invitation.objects.create(email="learner@example.gov.uk")
        Invitation.objects.create(email="someone@example.gov.uk")
        pending = MembershipFactory(cohort=CohortFactory(), email="alex.home@example.gov.uk")
        Certificate.objects.create(
            learner=learner, course=course, learner_name="Alex Learner",
            course_title=course.title, completed_at=learner.date_joined,
        )  # fmt: skip
        anonymise_user(user=learner, reason=Reason.REQUESTED)

        learner.refresh_from_db()
        assert learner.email == f"deleted-{learner.pk}@anonymised.invalid"
        assert (learner.first_name, learner.last_name) == ("", "")
        assert not learner.is_active and not learner.has_usable_password()
        assert not EmailAddress.objects.filter(user=learner).exists()
        assert not Authenticator.objects.filter(user=learner).exists()
        assert list(Invitation.objects.values_list("email", flat=True)) == [
            "someone@example.gov.uk"
        ]
        assert not Membership.objects.filter(pk=pending.pk).exists()
        assert Membership.objects.get(cohort=cohort, learner=learner).email == learner.email
        assert Certificate.objects.get(learner=learner).learner_name == "Name removed"

    def test_written_answers_and_tutor_comments_are_gone_scores_stay(
        self, cohort: Cohort, learner: Any
    ) -> None:
        written = Submission.objects.filter(learner=learner, exercise__slug="what-is-noise")
        scores = sorted(written.values_list("score", "correct"))
        anonymise_user(user=learner, reason=Reason.REQUESTED)
        for submission in written:
            assert submission.answer["text"] == ""
            assert submission.tutor_comment == ""
        assert "My own" not in json.dumps(list(written.values_list("answer", flat=True)))
        assert sorted(written.values_list("score", "correct")) == scores
        # Everyone else's words are untouched.
        assert Submission.objects.filter(answer__text="Reason 1").count() == 3
        assert Submission.objects.filter(answer__text="Reason 0").count() == 2

    def test_keeps_progress_rows(self, cohort: Cohort, learner: Any) -> None:
        counts = (
            CourseProgress.objects.filter(learner=learner).count(),
            ExerciseProgress.objects.filter(learner=learner).count(),
            Submission.objects.filter(learner=learner).count(),
        )
        anonymise_user(user=learner, reason=Reason.REQUESTED)
        assert counts == (
            CourseProgress.objects.filter(learner=learner).count(),
            ExerciseProgress.objects.filter(learner=learner).count(),
            Submission.objects.filter(learner=learner).count(),
        )

    def test_signing_in_is_impossible_afterwards(self, learner: Any) -> None:
        anonymise_user(user=learner, reason=Reason.REQUESTED)
        learner.refresh_from_db()
        for email in ("learner@example.gov.uk", learner.email):
            assert authenticate(username=email, password=PASSWORD) is None
            assert not Client().login(username=email, password=PASSWORD)

    def test_placeholder_addresses_are_unique(self, learner: Any, other_learner: Any) -> None:
        anonymise_user(user=learner, reason=Reason.REQUESTED)
        anonymise_user(user=other_learner, reason=Reason.REQUESTED)
        emails = set(User.objects.values_list("email", flat=True))
        assert len(emails) == User.objects.count()
        with pytest.raises(IntegrityError), transaction.atomic():
            UserFactory(email=User.objects.get(pk=learner.pk).email.upper())

    def test_audit_events_keep_what_happened_not_who(self, learner: Any, site_admin: Any) -> None:
        audit.record(actor=learner, action="account.data_exported", target=learner.email)
        audit.record(actor=site_admin, action="viewed_learner_answers", target=learner.email)
        audit.record(
            actor=site_admin, action="authoring.role", details={"user": "LEARNER@example.gov.uk"}
        )
        anonymise_user(user=learner, reason=Reason.REQUESTED)
        placeholder = f"deleted-{learner.pk}@anonymised.invalid"
        events = {e.action: e for e in AuditEvent.objects.all()}
        assert events["account.data_exported"].actor_email == placeholder
        assert events["account.data_exported"].target == placeholder
        assert events["viewed_learner_answers"].actor_email == "admin@example.gov.uk"
        assert events["viewed_learner_answers"].target == placeholder
        assert events["authoring.role"].details == {"user": placeholder}
        closed = events["account.deleted"]
        assert (closed.actor_id, closed.actor_email, closed.target) == (
            learner.pk, placeholder, placeholder,
        )  # fmt: skip
        assert "learner@example.gov.uk" not in json.dumps(
            list(AuditEvent.objects.values("actor_email", "target", "details"))
        )

    def test_signs_them_out_everywhere(self, learner: Any, other_learner: Any) -> None:
        mine, theirs = Client(), Client()
        mine.force_login(learner)
        theirs.force_login(other_learner)
        anonymise_user(user=learner, reason=Reason.REQUESTED)
        assert mine.get("/accounts/your-data/").status_code == 302
        assert not mine.get("/").wsgi_request.user.is_authenticated
        assert theirs.get("/accounts/your-data/").status_code == 200

    def test_twice_changes_nothing(self, cohort: Cohort, learner: Any) -> None:
        assert anonymise_user(user=learner, reason=Reason.REQUESTED)
        events = AuditEvent.objects.count()
        assert not anonymise_user(user=learner, reason=Reason.REQUESTED)
        assert AuditEvent.objects.count() == events

    def test_roles_go_with_the_account(self, learner: Any, course: Course) -> None:
        cohort = CohortFactory(course=course, facilitators=[learner], report_viewers=[learner])
        workspace = authoring.workspace_for_course(course=course)
        CourseRole.objects.create(workspace=workspace, user=learner, role=Role.EDITOR)
        anonymise_user(user=learner, reason=Reason.REQUESTED)
        assert not cohort.facilitators.exists() and not cohort.report_viewers.exists()
        assert not CourseRole.objects.filter(user=learner).exists()


class TestWhoMayNot:
    def test_the_only_admin_is_refused(self, site_admin: Any) -> None:
        assert data_rights.closing_blockers(user=site_admin)
        with pytest.raises(AccountCannotBeClosed):
            anonymise_user(user=site_admin, reason=Reason.REQUESTED)
        site_admin.refresh_from_db()
        assert site_admin.email == "admin@example.gov.uk" and site_admin.is_active

    def test_an_admin_may_when_another_remains(self, site_admin: Any) -> None:
        UserFactory(is_staff=True, is_superuser=True, mfa=True)
        assert data_rights.closing_blockers(user=site_admin) == []
        assert anonymise_user(user=site_admin, reason=Reason.REQUESTED)

    def test_the_last_owner_of_a_course_is_refused(self, author: Any) -> None:
        workspace = authoring.create_course(
            actor=author, slug="new-course", title="A new course", summary="New."
        )
        assert data_rights.closing_blockers(user=author) == [
            "You are the only owner of the course ‘A new course’. Make someone else its owner "
            "before you delete your account."
        ]
        other = UserFactory(mfa=True)
        CourseRole.objects.create(workspace=workspace, user=other, role=Role.OWNER)
        assert data_rights.closing_blockers(user=author) == []


class TestDeletePage:
    def test_asks_them_to_confirm_who_they_are_first(self, client: Client, learner: Any) -> None:
        client.force_login(learner)
        response = client.get(DELETE)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/")

    def test_shows_the_warning_and_the_question(self, me: Client) -> None:
        response = me.get(DELETE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "govuk-warning-text" in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert "I understand that my account will be deleted" in html

    def test_without_the_tick_it_asks_again_with_an_error_summary(
        self, me: Client, learner: Any
    ) -> None:
        for data in ({}, {"confirm": ""}):
            response = me.post(DELETE, data)
            assert response.status_code == 400
            html = response.content.decode()
            assert "<title>Error: Delete your account" in html
            assert "govuk-error-summary" in html
            assert 'href="#id_confirm"' in html
        learner.refresh_from_db()
        assert learner.is_active

    def test_deletes_signs_out_and_confirms(self, me: Client, learner: Any) -> None:
        response = me.post(DELETE, {"confirm": "on"})
        assert response.status_code == 302 and response["Location"] == "/accounts/deleted/"
        learner.refresh_from_db()
        assert data_rights.is_anonymised(learner)
        page = me.get("/accounts/deleted/")
        assert "Your account has been deleted" in text_of(page)
        assert me.get("/accounts/your-data/").status_code == 302  # signed out

    def test_needs_the_csrf_token(self, learner: Any) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(learner)
        html = client.get("/accounts/email/").content.decode()  # any page, for the cookie
        assert html
        response = client.post(DELETE, {"confirm": "on"})
        assert response.status_code == 403
        learner.refresh_from_db()
        assert learner.is_active

    def test_the_only_admin_sees_why_not_and_cannot_post(
        self, client: Client, site_admin: Any
    ) -> None:
        client.force_login(site_admin)
        reauthenticate(client)
        page = client.get(DELETE)
        assert "You are the only administrator" in text_of(page)
        assert "<form" not in page.content.decode().split("<main", 1)[1]
        assert client.post(DELETE, {"confirm": "on"}).status_code == 409
        site_admin.refresh_from_db()
        assert site_admin.is_active


def test_an_unverified_address_is_not_taken_for_theirs(learner: Any) -> None:
    """Anyone can type someone else's address into their account: until it is verified, the
    invitations to it are not closed with the account."""
    EmailAddress.objects.create(user=learner, email="maybe.someone@example.gov.uk", verified=False)
    pending = MembershipFactory(cohort=CohortFactory(), email="maybe.someone@example.gov.uk")
    anonymise_user(user=learner, reason=Reason.REQUESTED)
    assert Membership.objects.filter(pk=pending.pk, email="maybe.someone@example.gov.uk").exists()


def test_someone_who_signs_in_only_through_their_organisation_signs_in_again_first(
    client: Client, learner: Any
) -> None:
    """allauth cannot ask for a password or code they do not have: a sign-in made just now
    stands in for it."""
    learner.set_unusable_password()
    learner.save()
    client.force_login(learner)  # records no recent sign-in
    page = client.get(DELETE)
    assert page.status_code == 403
    assert "Sign in again to delete your account" in page.content.decode()
    refused = client.post(DELETE, {"confirm": "on"})
    assert refused.status_code == 403
    assert not data_rights.is_anonymised(User.objects.get(pk=learner.pk))

    from allauth.account.internal.flows.login import record_authentication

    request = refused.wsgi_request
    record_authentication(request, learner, method="socialaccount", provider="onelogin")
    request.session.save()
    assert client.post(DELETE, {"confirm": "on"}).status_code == 302
    assert data_rights.is_anonymised(User.objects.get(pk=learner.pk))
