"""Someone with an account joins a cohort only by accepting its invitation while signed in:
joining lets the cohort's facilitators see their progress on the whole course."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.utils import timezone

from audit.models import AuditEvent
from cohorts import roster, services
from cohorts.models import Membership
from cohorts.selectors import members_with_progress
from tests.accounts.factories import UserFactory
from tests.cohorts.factories import CohortFactory, MembershipFactory

pytestmark = pytest.mark.django_db

OTHER_ADDRESS = "alex.at.home@partner.example.org"


@pytest.fixture
def cohort(course):  # type: ignore[no-untyped-def]
    return CohortFactory(
        name="Board 1",
        course=course,
        facilitators=[
            UserFactory(first_name="Fran", last_name="Smith"),
            UserFactory(first_name="Sam", last_name="Jones"),
        ],
    )


@pytest.fixture
def invitation(cohort, learner):  # type: ignore[no-untyped-def]
    return MembershipFactory(cohort=cohort, email=learner.email)


@pytest.fixture
def me(client, learner):  # type: ignore[no-untyped-def]
    client.force_login(learner)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def notice(cohort) -> str:  # type: ignore[no-untyped-def]
    return (
        f"You have been invited to join Board 1 (course {cohort.course.title}), facilitated by "
        "Fran Smith and Sam Jones. Joining lets its facilitators see your progress on this course."
    )


# --- Inviting an account ----------------------------------------------------------------------
def test_inviting_an_account_shows_the_facilitators_nothing_until_it_joins(cohort, learner) -> None:
    membership, _ = services.invite_learner(cohort=cohort, email=learner.email)
    membership = members_with_progress(cohort=cohort).get(pk=membership.pk)
    assert membership.learner is None
    assert membership.status == "invited"  # type: ignore[attr-defined]


# --- The notice -------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/", "/progress/"])
def test_the_invited_person_sees_the_invitation(me, cohort, invitation, url: str) -> None:
    response = me.get(url)
    assert notice(cohort) in text(response)
    html = response.content.decode()
    assert f'action="/cohorts/invitations/{invitation.pk}/join/"' in html
    assert f'formaction="/cohorts/invitations/{invitation.pk}/decline/"' in html
    assert f'name="next" value="{url}"' in html


def test_an_invitation_to_another_verified_address_is_shown(me, cohort, learner) -> None:
    EmailAddress.objects.create(user=learner, email=OTHER_ADDRESS.upper(), verified=True)
    MembershipFactory(cohort=cohort, email=OTHER_ADDRESS)
    assert "You have been invited to join Board 1" in text(me.get("/"))


@pytest.mark.parametrize(
    "case", ["unverified address", "someone else", "archived", "already in the cohort", "joined"]
)
def test_no_notice_unless_the_invitation_is_theirs_and_open(me, cohort, learner, case: str) -> None:
    if case == "unverified address":
        EmailAddress.objects.create(user=learner, email=OTHER_ADDRESS, verified=False)
        MembershipFactory(cohort=cohort, email=OTHER_ADDRESS)
    elif case == "someone else":
        MembershipFactory(cohort=cohort, email=OTHER_ADDRESS)
    elif case == "archived":
        MembershipFactory(cohort=CohortFactory(archived=True), email=learner.email)
    elif case == "already in the cohort":  # through another address
        EmailAddress.objects.create(user=learner, email=OTHER_ADDRESS, verified=True)
        MembershipFactory(cohort=cohort, learner=learner)
        MembershipFactory(cohort=cohort, email=OTHER_ADDRESS)
    else:
        MembershipFactory(cohort=cohort, learner=learner)
    assert "You have been invited" not in text(me.get("/"))
    assert roster.pending_invitations_for(user=learner) == []


def test_facilitators_without_a_name_are_not_named_by_their_address(me, cohort, invitation):
    cohort.facilitators.add(UserFactory(first_name="", last_name="", email="staff@example.gov.uk"))
    page = text(me.get("/"))
    assert "facilitated by Fran Smith and Sam Jones." in page
    assert "staff@example.gov.uk" not in page


def test_signed_out_visitors_see_no_notice(client, invitation) -> None:
    assert "You have been invited" not in text(client.get("/"))


def test_the_notice_costs_one_query(me, cohort, learner, course, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert roster.pending_invitations_for(user=learner) == []
    for n in range(3):
        MembershipFactory(cohort=CohortFactory(course=course, name=f"Board {n + 2}"),
                          email=learner.email)  # fmt: skip
    # With invitations, two more (the cohorts, their facilitators), however many there are.
    with django_assert_num_queries(3):
        assert len(roster.pending_invitations_for(user=learner)) == 3


# --- Joining and declining --------------------------------------------------------------------
def test_joining(me, cohort, learner, invitation) -> None:
    response = me.post(f"/cohorts/invitations/{invitation.pk}/join/", {"next": "/progress/"})
    assert response.status_code == 302 and response["Location"] == "/progress/"
    invitation.refresh_from_db()
    assert invitation.learner == learner and invitation.joined_at is not None
    event = AuditEvent.objects.get(action="joined_cohort")
    assert (event.actor, event.target, event.details["cohort"]) == (learner, learner.email,
                                                                     cohort.pk)  # fmt: skip
    html = text(me.get("/progress/"))
    assert "You have joined Board 1. Its facilitators can now see your progress" in html
    assert "You have been invited" not in html


def test_declining(me, cohort, learner, invitation) -> None:
    response = me.post(f"/cohorts/invitations/{invitation.pk}/decline/", {"next": "/"})
    assert response["Location"] == "/"
    assert not Membership.objects.filter(pk=invitation.pk).exists()
    event = AuditEvent.objects.get(action="declined_cohort_invitation")
    assert (event.actor, event.target, event.details) == (learner, learner.email,
                                                          {"cohort": cohort.pk})  # fmt: skip
    html = text(me.get("/"))
    assert "You have declined the invitation to join Board 1" in html
    assert "You have been invited" not in html


@pytest.mark.parametrize(
    "target", ["", "https://elsewhere.example.com/", "//elsewhere.example.com/", "/\\elsewhere"]
)
def test_goes_back_only_to_this_site(me, invitation, target: str) -> None:
    response = me.post(f"/cohorts/invitations/{invitation.pk}/join/", {"next": target})
    assert response["Location"] == "/"


class TestServices:
    def test_joining_twice_is_refused(self, cohort, learner, invitation) -> None:
        services.join_cohort(membership=invitation, learner=learner)
        with pytest.raises(services.InvitationNotPending):
            services.join_cohort(membership=invitation, learner=learner)

    def test_cannot_join_a_cohort_twice_through_two_addresses(self, cohort, learner) -> None:
        MembershipFactory(cohort=cohort, learner=learner)
        second = MembershipFactory(cohort=cohort, email=OTHER_ADDRESS)
        with pytest.raises(services.InvitationNotPending):
            services.join_cohort(membership=second, learner=learner)
        second.refresh_from_db()
        assert second.learner is None

    def test_the_database_refuses_one_person_twice_in_a_cohort(self, cohort, learner) -> None:
        """Two joins at the same moment through two addresses cannot both pass the check."""
        from django.db import IntegrityError, transaction

        MembershipFactory(cohort=cohort, learner=learner)
        second = MembershipFactory(cohort=cohort, email=OTHER_ADDRESS)
        with pytest.raises(IntegrityError), transaction.atomic():
            Membership.objects.filter(pk=second.pk).update(learner=learner)

    def test_declining_withdraws_the_right_to_sign_up_it_gave(self, cohort) -> None:
        from accounts.signup_policy import may_sign_up

        membership, _ = services.invite_learner(cohort=cohort, email=OTHER_ADDRESS)
        assert may_sign_up(email=OTHER_ADDRESS)
        services.decline_invitation(membership=membership)
        assert not may_sign_up(email=OTHER_ADDRESS)
        with pytest.raises(services.InvitationNotPending):
            services.decline_invitation(membership=membership)

    def test_a_joined_membership_cannot_be_declined(self, cohort, learner) -> None:
        joined = MembershipFactory(cohort=cohort, learner=learner)
        with pytest.raises(services.InvitationNotPending):
            services.decline_invitation(membership=joined)
        assert Membership.objects.filter(pk=joined.pk).exists()


# --- Verifying an address ---------------------------------------------------------------------
def confirm(user, email: str) -> None:  # type: ignore[no-untyped-def]
    address = EmailAddress.objects.create(user=user, email=email, verified=True)
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)


def test_a_new_account_joins_when_it_verifies_its_address(cohort) -> None:
    """Created from the invitation: it has never signed in, so it has no history to show."""
    services.invite_learner(cohort=cohort, email=OTHER_ADDRESS)
    user = UserFactory(email=OTHER_ADDRESS, verified_email=False)
    confirm(user, OTHER_ADDRESS)
    assert Membership.objects.get(email=OTHER_ADDRESS).learner == user


def test_an_account_that_has_been_used_is_asked_even_when_it_verifies_an_address(
    client, cohort, learner
) -> None:
    """Adding the invited address to an account with a history does not share it unasked."""
    membership, _ = services.invite_learner(cohort=cohort, email=OTHER_ADDRESS)
    client.force_login(learner)  # signed in before: last_login is set
    learner.refresh_from_db()
    assert learner.last_login and learner.last_login <= timezone.now()
    confirm(learner, OTHER_ADDRESS)
    membership.refresh_from_db()
    assert membership.learner is None
    assert "You have been invited to join Board 1" in text(client.get("/"))
