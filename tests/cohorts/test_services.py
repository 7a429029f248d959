"""Creating and changing cohorts, inviting, linking and removing learners."""

import datetime
import re
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.core import mail
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.signup_policy import may_sign_up
from cohorts import services, tasks
from cohorts.invitations import Invitee
from cohorts.models import Cohort, Membership, ModuleSchedule
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory
from tests.courses.factories import CourseFactory, ModuleFactory

pytestmark = pytest.mark.django_db

OUTSIDER = "perm.sec@partner.example.org"  # not on an allowed domain: needs an invitation


@pytest.fixture
def cohort(course, site_admin):  # type: ignore[no-untyped-def]
    return CohortFactory(name="Board 1", course=course, created_by=site_admin)


def rows(*emails: str, group: str = "") -> list[Invitee]:
    return [Invitee(line=n + 2, email=email, group=group) for n, email in enumerate(emails)]


class TestCreateAndUpdate:
    def test_creates_a_cohort_with_its_people(self, course, site_admin) -> None:
        facilitator, viewer = UserFactory(), UserFactory()
        cohort = services.create_cohort(
            name="Board 1", course=course, start_date=datetime.date(2027, 3, 1),
            facilitators=[facilitator], report_viewers=[viewer], created_by=site_admin,
        )  # fmt: skip
        cohort = Cohort.objects.get(pk=cohort.pk)
        assert (cohort.name, cohort.course, cohort.created_by) == ("Board 1", course, site_admin)
        assert list(cohort.facilitators.all()) == [facilitator]
        assert list(cohort.report_viewers.all()) == [viewer]

    def test_update_sets_people_and_the_schedule(self, cohort, course) -> None:
        first, second = course.modules.order_by("position")
        start = datetime.date(2027, 1, 4)
        schedule = {first.pk: (start, start + datetime.timedelta(14)), second.pk: (None, None)}
        facilitator = UserFactory()
        services.update_cohort(
            cohort=cohort, name="Board 2", course=course, start_date=start,
            facilitators=[facilitator], report_viewers=[], archived=True, schedule=schedule,
        )  # fmt: skip
        cohort.refresh_from_db()
        assert (cohort.name, cohort.start_date, cohort.archived) == ("Board 2", start, True)
        assert list(cohort.facilitators.all()) == [facilitator]
        assert list(ModuleSchedule.objects.values_list("module", "release_date", "due_date")) == [
            (first.pk, start, start + datetime.timedelta(14))
        ]
        # Clearing a module's dates removes its row; changing them updates it.
        schedule = {first.pk: (None, None), second.pk: (None, start)}
        services.set_schedule(cohort=cohort, schedule=schedule)
        assert list(ModuleSchedule.objects.values_list("module", "release_date", "due_date")) == [
            (second.pk, None, start)
        ]

    def test_refuses_a_due_date_before_the_release_date(self, cohort, course) -> None:
        module = course.modules.first()
        with pytest.raises(services.InvalidSchedule):
            services.set_schedule(
                cohort=cohort,
                schedule={module.pk: (datetime.date(2027, 2, 1), datetime.date(2027, 1, 1))},
            )
        assert not ModuleSchedule.objects.exists()

    def test_refuses_modules_of_another_course(self, cohort) -> None:
        elsewhere = ModuleFactory()
        with pytest.raises(services.InvalidSchedule):
            services.set_schedule(cohort=cohort, schedule={elsewhere.pk: (None, None)})

    def test_refuses_to_change_the_course_under_learners(self, cohort) -> None:
        MembershipFactory(cohort=cohort)
        other = CourseFactory()
        with pytest.raises(services.CourseHasMembers):
            services.update_cohort(
                cohort=cohort, name="x", course=other, start_date=cohort.start_date,
                facilitators=[], report_viewers=[],
            )  # fmt: skip
        assert Cohort.objects.get(pk=cohort.pk).course_id == cohort.course_id

    def test_changing_the_course_of_an_empty_cohort_drops_the_old_schedule(
        self, cohort, course
    ) -> None:
        ModuleSchedule.objects.create(
            cohort=cohort, module=course.modules.first(), due_date=datetime.date(2027, 1, 1)
        )
        other = CourseFactory()
        services.update_cohort(
            cohort=cohort, name="x", course=other, start_date=cohort.start_date,
            facilitators=[], report_viewers=[], schedule={},
        )  # fmt: skip
        assert Cohort.objects.get(pk=cohort.pk).course == other
        assert not ModuleSchedule.objects.exists()


class TestInviteLearner:
    def test_a_new_address_may_sign_up_and_is_emailed_an_invitation(
        self, cohort, site_admin, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            membership, created = services.invite_learner(
                cohort=cohort, email=" Perm.Sec@Partner.example.org ", group="DfE",
                invited_by=site_admin,
            )  # fmt: skip
        assert created
        assert (membership.email, membership.group, membership.learner) == (OUTSIDER, "DfE", None)
        assert membership.joined_at is None and membership.invited_by == site_admin
        assert may_sign_up(email=OUTSIDER)
        [email] = mail.outbox
        assert email.to == [OUTSIDER]
        assert email.subject == "You are invited to the Data Masterclass"
        assert (
            "http://testserver/accounts/signup/?email=perm.sec%40partner.example.org"
            in (email.body)
            or "/accounts/signup/?email=perm.sec%40partner.example.org" in email.body
        )
        assert OUTSIDER in email.body and cohort.course.title in email.body
        html, mime = email.alternatives[0]
        assert mime == "text/html" and "Create your account" in html
        assert email.reply_to == [site_admin.email]

    def test_an_address_with_a_verified_account_is_asked_to_accept(
        self, cohort, learner, site_admin, django_capture_on_commit_callbacks
    ) -> None:
        """Joining shows the learner's whole history on the course to the facilitators: the
        person decides, not whoever typed their address."""
        with django_capture_on_commit_callbacks(execute=True):
            membership, created = services.invite_learner(
                cohort=cohort, email=learner.email.upper(), invited_by=site_admin
            )
        membership.refresh_from_db()
        assert created and membership.learner is None and membership.joined_at is None
        assert membership.invitation_sent_at is not None
        assert not Invitation.objects.exists()  # they have an account already
        [email] = mail.outbox
        assert email.subject == "You are invited to join Board 1 on Data Masterclass"
        body = " ".join(email.body.split())
        assert f"{site_admin.get_full_name()} invited you to join Board 1" in body
        assert "Sign in to accept: http://" in body
        assert "facilitators will see your progress on" in body
        html, _ = email.alternatives[0]
        assert "Sign in to accept</a>" in html

    def test_an_unverified_account_is_not_joined_until_it_is_verified(
        self, cohort, django_capture_on_commit_callbacks
    ) -> None:
        unverified = UserFactory(email=OUTSIDER, verified_email=False)
        EmailAddress.objects.create(user=unverified, email=OUTSIDER, verified=False, primary=True)
        with django_capture_on_commit_callbacks(execute=True):
            membership, _ = services.invite_learner(cohort=cohort, email=OUTSIDER)
        assert membership.learner is None
        assert mail.outbox[0].subject == "You are invited to the Data Masterclass"

    def test_inviting_an_address_twice_changes_nothing_and_sends_nothing(
        self, cohort, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            first, created = services.invite_learner(cohort=cohort, email=OUTSIDER, group="A")
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again, created_again = services.invite_learner(
                cohort=cohort, email=OUTSIDER.upper(), group="B"
            )
        assert created and not created_again
        assert again.pk == first.pk and again.group == "A"
        assert Membership.objects.count() == 1 and Invitation.objects.count() == 1
        assert callbacks == [] and len(mail.outbox) == 1

    def test_the_same_address_may_be_in_two_cohorts(self, cohort, course) -> None:
        other = CohortFactory(course=course)
        services.invite_learner(cohort=cohort, email=OUTSIDER)
        services.invite_learner(cohort=other, email=OUTSIDER)
        assert Membership.objects.filter(email=OUTSIDER).count() == 2
        assert Invitation.objects.count() == 1

    def test_refuses_bad_addresses_and_archived_cohorts(self, cohort) -> None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            services.invite_learner(cohort=cohort, email="not an email")
        cohort.archived = True
        with pytest.raises(services.CohortArchived):
            services.invite_learner(cohort=cohort, email=OUTSIDER)
        assert not Membership.objects.exists()

    def test_a_failing_email_does_not_lose_the_invitation(
        self, cohort, django_capture_on_commit_callbacks, caplog
    ) -> None:
        with (
            mock.patch.object(services.EmailMultiAlternatives, "send", side_effect=OSError("down")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            membership, created = services.invite_learner(cohort=cohort, email=OUTSIDER)
        assert created and Membership.objects.filter(pk=membership.pk).exists()
        assert may_sign_up(email=OUTSIDER)
        assert "Could not send the invitation" in caplog.text

    def test_an_unreachable_mail_server_does_not_lose_the_invitation(
        self, cohort, django_capture_on_commit_callbacks, caplog
    ) -> None:
        with (
            mock.patch.object(services, "get_connection", side_effect=OSError("refused")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            membership, _ = services.invite_learner(cohort=cohort, email=OUTSIDER)
        assert Membership.objects.filter(pk=membership.pk).exists()
        assert "refused" in caplog.text

    def test_nothing_is_sent_when_the_transaction_rolls_back(self, cohort) -> None:
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            services.invite_learner(cohort=cohort, email=OUTSIDER)
            raise RuntimeError
        assert not Membership.objects.exists() and mail.outbox == []


class TestInviteLearners:
    def test_invites_new_addresses_skips_members_and_leaves_accounts_pending(
        self, cohort, learner, site_admin, django_capture_on_commit_callbacks
    ) -> None:
        MembershipFactory(cohort=cohort, email="already@partner.example.org")
        invitees = rows(
            "new.one@partner.example.org", "ALREADY@partner.example.org", learner.email,
            group="DfE",
        )  # fmt: skip
        with (
            mock.patch.object(tasks.send_invitations, "delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            result = services.invite_learners(
                cohort=cohort, invitees=invitees, invited_by=site_admin
            )
        assert result.already_in_cohort == ["already@partner.example.org"]
        assert {m.email for m in result.invited} == {"new.one@partner.example.org", learner.email}
        account = Membership.objects.get(cohort=cohort, email=learner.email)
        assert account.learner is None and account.joined_at is None and account.group == "DfE"
        pending = Membership.objects.get(cohort=cohort, email="new.one@partner.example.org")
        assert pending.learner is None and pending.invited_by == site_admin
        assert list(Invitation.objects.values_list("email", flat=True)) == [
            "new.one@partner.example.org"
        ]
        delay.assert_called_once_with(sorted(m.pk for m in result.invited))

    def test_an_existing_invitation_is_kept(self, cohort) -> None:
        Invitation.objects.create(email=OUTSIDER)
        services.invite_learners(cohort=cohort, invitees=rows(OUTSIDER))
        assert Invitation.objects.count() == 1

    def test_ten_thousand_rows_in_a_bounded_number_of_queries(
        self, cohort, django_assert_max_num_queries, django_capture_on_commit_callbacks
    ) -> None:
        invitees = rows(*(f"person{n}@partner.example.org" for n in range(10_000)))
        started = time.monotonic()
        with (
            mock.patch.object(tasks.send_invitations, "delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
            # Batches of 1,000 rows; SQLite allows only 999 parameters a statement, so there the
            # memberships take about 70 inserts (10 on PostgreSQL). Either way, not 10,000.
            django_assert_max_num_queries(150),
        ):
            result = services.invite_learners(cohort=cohort, invitees=invitees)
        assert time.monotonic() - started < 30  # a generous bound; it takes about a second
        assert len(result.invited) == 10_000
        assert Membership.objects.filter(cohort=cohort).count() == 10_000
        assert Invitation.objects.count() == 10_000
        # Emails go out from Celery, in chunks, not from the request.
        assert delay.call_count == 10_000 // services.INVITATION_EMAIL_CHUNK
        assert all(
            len(call.args[0]) <= services.INVITATION_EMAIL_CHUNK for call in delay.mock_calls
        )
        assert mail.outbox == []

    def test_all_or_nothing(self, cohort) -> None:
        with (
            mock.patch.object(
                Membership.objects, "bulk_create", side_effect=IntegrityError("clash")
            ),
            pytest.raises(IntegrityError),
        ):
            services.invite_learners(cohort=cohort, invitees=rows(OUTSIDER, "b@example.org"))
        assert not Membership.objects.exists() and not Invitation.objects.exists()

    def test_refuses_an_archived_cohort(self, cohort) -> None:
        cohort.archived = True
        with pytest.raises(services.CohortArchived):
            services.invite_learners(cohort=cohort, invitees=rows(OUTSIDER))


class TestInvitationEmails:
    def test_sends_each_kind_and_one_failure_does_not_stop_the_rest(
        self, cohort, learner, caplog
    ) -> None:
        pending = MembershipFactory(cohort=cohort, email=OUTSIDER)
        account = MembershipFactory(cohort=cohort, email=learner.email)  # not joined yet
        broken = MembershipFactory(cohort=cohort, email="broken@partner.example.org")
        real_send = services.EmailMultiAlternatives.send

        def send(message, *args, **kwargs):  # type: ignore[no-untyped-def]
            if message.to == [broken.email]:
                raise OSError("mailbox unavailable")
            return real_send(message, *args, **kwargs)

        with mock.patch.object(services.EmailMultiAlternatives, "send", send):
            result = services.send_invitation_emails(
                membership_ids=[pending.pk, account.pk, broken.pk]
            )
        assert (result.sent, result.failed) == (2, 1)
        subjects = {message.to[0]: message.subject for message in mail.outbox}
        assert subjects == {
            OUTSIDER: "You are invited to the Data Masterclass",
            learner.email: "You are invited to join Board 1 on Data Masterclass",
        }
        assert f"membership {broken.pk}" in caplog.text
        sent_at = dict(Membership.objects.values_list("email", "invitation_sent_at"))
        assert sent_at[OUTSIDER] and sent_at[learner.email]
        assert sent_at[broken.email] is None  # unclaimed: Resend, or a retry, sends it

    def test_running_twice_sends_nothing_twice(self, cohort) -> None:
        """A redelivered or retried task: only what has not gone yet is sent."""
        first = MembershipFactory(cohort=cohort, email=OUTSIDER)
        second = MembershipFactory(cohort=cohort, email="second@partner.example.org")
        real_send = services.EmailMultiAlternatives.send

        def send(message, *args, **kwargs):  # type: ignore[no-untyped-def]
            if message.to == [second.email]:
                raise OSError("try later")
            return real_send(message, *args, **kwargs)

        with mock.patch.object(services.EmailMultiAlternatives, "send", send):
            services.send_invitation_emails(membership_ids=[first.pk, second.pk])
        again = services.send_invitation_emails(membership_ids=[first.pk, second.pk])
        assert (again.sent, again.failed) == (1, 0)
        assert [message.to for message in mail.outbox] == [[OUTSIDER], [second.email]]
        assert services.send_invitation_emails(membership_ids=[first.pk, second.pk]).sent == 0
        assert len(mail.outbox) == 2

    def test_an_email_claimed_by_another_worker_is_not_sent(self, cohort) -> None:
        membership = MembershipFactory(cohort=cohort, email=OUTSIDER)
        real_filter = Membership.objects.filter

        def claimed_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
            # Another worker claims the email between the read and this worker's claim.
            if kwargs.get("invitation_sent_at__isnull") and "pk" in kwargs:  # the claim
                real_filter(pk=membership.pk).update(invitation_sent_at=timezone.now())
            return real_filter(*args, **kwargs)

        with mock.patch.object(Membership.objects, "filter", side_effect=claimed_meanwhile):
            result = services.send_invitation_emails(membership_ids=[membership.pk])
        assert result.sent == 0 and mail.outbox == []

    def test_an_unreachable_mail_server_claims_nothing(self, cohort) -> None:
        membership = MembershipFactory(cohort=cohort, email=OUTSIDER)
        with (
            mock.patch.object(services, "get_connection", side_effect=OSError("refused")),
            pytest.raises(OSError),
        ):
            services.send_invitation_emails(membership_ids=[membership.pk])
        membership.refresh_from_db()
        assert membership.invitation_sent_at is None

    def test_someone_who_has_joined_is_not_sent_an_invitation(self, cohort, learner) -> None:
        joined = MembershipFactory(cohort=cohort, learner=learner)
        assert services.send_invitation_emails(membership_ids=[joined.pk]).sent == 0
        assert mail.outbox == []

    def test_the_task_calls_the_service(self) -> None:
        with mock.patch.object(
            services, "send_invitation_emails", return_value=services.SentInvitations(sent=2)
        ) as send:
            tasks.send_invitations([1, 2])
        send.assert_called_once_with(membership_ids=[1, 2])

    def test_the_task_is_retried_when_some_emails_failed(self) -> None:
        failed = services.SentInvitations(sent=1, failed=1)
        with (
            mock.patch.object(services, "send_invitation_emails", return_value=failed),
            pytest.raises(tasks.InvitationsNotSent),
        ):
            tasks.send_invitations.run([1, 2])
        assert tasks.InvitationsNotSent in tasks.send_invitations.autoretry_for

    def test_a_removed_membership_is_not_emailed(self) -> None:
        assert services.send_invitation_emails(membership_ids=[987654]).sent == 0
        assert mail.outbox == []


class TestSendUnsent:
    def test_queues_only_pending_invitations_not_sent(self, cohort, learner) -> None:
        unsent = MembershipFactory(cohort=cohort, email=OUTSIDER)
        MembershipFactory(cohort=cohort, invitation_sent_at=timezone.now())
        MembershipFactory(cohort=cohort, learner=learner)
        MembershipFactory(email="elsewhere@partner.example.org")  # another cohort
        with mock.patch.object(tasks.send_invitations, "delay") as delay:
            assert services.send_unsent_invitations(cohort=cohort) == (1, True)
        delay.assert_called_once_with([unsent.pk])

    def test_nothing_to_send(self, cohort) -> None:
        with mock.patch.object(tasks.send_invitations, "delay") as delay:
            assert services.send_unsent_invitations(cohort=cohort) == (0, False)
        delay.assert_not_called()

    def test_says_when_the_broker_is_down(self, cohort, caplog) -> None:
        MembershipFactory(cohort=cohort, email=OUTSIDER)
        with mock.patch.object(tasks.send_invitations, "delay", side_effect=OSError("down")):
            assert services.send_unsent_invitations(cohort=cohort) == (1, False)
        assert "Could not queue the invitation emails" in caplog.text

    def test_refuses_an_archived_cohort(self, cohort) -> None:
        cohort.archived = True
        with pytest.raises(services.CohortArchived):
            services.send_unsent_invitations(cohort=cohort)


class TestResendAndRemove:
    def test_resends_an_invitation(self, cohort, django_capture_on_commit_callbacks) -> None:
        membership = MembershipFactory(cohort=cohort, email=OUTSIDER)
        with django_capture_on_commit_callbacks(execute=True):
            services.send_invitation_emails(membership_ids=[membership.pk])
        with django_capture_on_commit_callbacks(execute=True):
            services.resend_invitation(membership=membership)
        assert may_sign_up(email=OUTSIDER)
        # Sent already, and asked for again: sent again.
        assert [message.to for message in mail.outbox] == [[OUTSIDER], [OUTSIDER]]
        membership.refresh_from_db()
        assert membership.invitation_sent_at is not None

    def test_resending_to_an_account_allows_no_new_sign_up(
        self, cohort, learner, django_capture_on_commit_callbacks
    ) -> None:
        membership = MembershipFactory(cohort=cohort, email=learner.email)
        with django_capture_on_commit_callbacks(execute=True):
            services.resend_invitation(membership=membership)
        assert not Invitation.objects.exists()
        assert mail.outbox[0].subject == "You are invited to join Board 1 on Data Masterclass"

    def test_does_not_resend_to_someone_who_has_joined(self, cohort, learner) -> None:
        with pytest.raises(services.AlreadyJoined):
            services.resend_invitation(membership=MembershipFactory(cohort=cohort, learner=learner))

    def test_removing_the_only_invitation_withdraws_the_right_to_sign_up(self, cohort) -> None:
        membership, _ = services.invite_learner(cohort=cohort, email=OUTSIDER)
        services.remove_learner(membership=membership)
        assert not Membership.objects.exists()
        assert not may_sign_up(email=OUTSIDER)

    def test_an_invitation_to_another_cohort_still_stands(self, cohort, course) -> None:
        membership, _ = services.invite_learner(cohort=cohort, email=OUTSIDER)
        services.invite_learner(cohort=CohortFactory(course=course), email=OUTSIDER)
        services.remove_learner(membership=membership)
        assert may_sign_up(email=OUTSIDER)

    def test_removing_a_learner_keeps_their_account(self, cohort, learner) -> None:
        services.remove_learner(membership=MembershipFactory(cohort=cohort, learner=learner))
        assert User.objects.filter(pk=learner.pk).exists()


class TestLinkMemberships:
    def test_links_every_pending_membership_of_the_address(self, cohort, course) -> None:
        other = CohortFactory(course=course)
        for each in (cohort, other):
            services.invite_learner(cohort=each, email=OUTSIDER)
        unrelated = MembershipFactory(cohort=cohort, email="someone.else@partner.example.org")
        user = UserFactory(email=OUTSIDER)
        assert services.link_memberships(user=user) == 2
        linked = Membership.objects.filter(learner=user)
        assert {m.cohort_id for m in linked} == {cohort.pk, other.pk}
        assert all(m.joined_at for m in linked)
        unrelated.refresh_from_db()
        assert unrelated.learner is None
        assert services.link_memberships(user=user) == 0  # running it again changes nothing

    def test_a_second_address_of_someone_already_in_the_cohort_is_left(self, cohort) -> None:
        user = UserFactory()
        MembershipFactory(cohort=cohort, learner=user)
        MembershipFactory(cohort=cohort, email="their.other.address@partner.example.org")
        assert (
            services.link_memberships(user=user, email="their.other.address@partner.example.org")
            == 0
        )

    def test_verifying_an_address_joins_its_cohorts(self, cohort) -> None:
        services.invite_learner(cohort=cohort, email=OUTSIDER)
        user = UserFactory(email=OUTSIDER, verified_email=False)
        address = EmailAddress.objects.create(user=user, email=OUTSIDER, verified=True)
        email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
        assert Membership.objects.get(email=OUTSIDER).learner == user

    def test_an_invited_person_signs_up_from_the_email_and_joins(
        self, client, cohort, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.invite_learner(cohort=cohort, email=OUTSIDER)
        link = re.search(r"(/accounts/signup/\?email=\S+)", mail.outbox[0].body).group(1)
        page = client.get(link).content.decode()
        assert f'value="{OUTSIDER}"' in page  # the address is filled in
        password = "a-long-and-unusual-passphrase"
        client.post(link, {"email": OUTSIDER, "password1": password, "password2": password})
        assert Membership.objects.get(email=OUTSIDER).learner is None  # not verified yet
        code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
        assert client.post("/accounts/confirm-email/", {"code": code}).status_code == 302
        membership = Membership.objects.get(email=OUTSIDER)
        assert membership.learner == User.objects.get(email=OUTSIDER)
        assert membership.joined_at is not None


def test_a_broker_that_is_down_does_not_undo_an_upload(
    course, django_capture_on_commit_callbacks, caplog
) -> None:
    cohort = CohortFactory(course=course)
    with (
        mock.patch.object(tasks.send_invitations, "delay", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.invite_learners(cohort=cohort, invitees=rows(OUTSIDER))
    membership = Membership.objects.get(cohort=cohort, email=OUTSIDER)
    assert membership.invitation_sent_at is None  # to be sent later
    assert result.emails_queued is False
    assert "no broker" in caplog.text


def test_an_upload_says_when_its_emails_were_queued(
    course, django_capture_on_commit_callbacks
) -> None:
    cohort = CohortFactory(course=course)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = services.invite_learners(cohort=cohort, invitees=rows(OUTSIDER))
    assert result.emails_queued is None  # not until the transaction commits
    with mock.patch.object(tasks.send_invitations, "delay") as delay:
        [queue] = callbacks
        queue()
    assert result.emails_queued is True
    delay.assert_called_once()


def test_a_group_that_is_too_long_is_refused(course) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.invite_learner(
            cohort=CohortFactory(course=course), email=OUTSIDER, group="x" * 101
        )
    assert not Membership.objects.exists()


def test_a_file_row_with_a_group_that_is_too_long_refuses_the_whole_file(course) -> None:
    from django.core.exceptions import ValidationError

    cohort = CohortFactory(course=course)
    with pytest.raises(ValidationError):
        services.invite_learners(
            cohort=cohort, invitees=[*rows(OUTSIDER), *rows("b@example.org", group="x" * 101)]
        )
    assert not Membership.objects.exists()
