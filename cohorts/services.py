"""Writes for running cohorts: creating and changing them, inviting and removing learners.

Nobody joins a cohort without saying so: joining lets the cohort's facilitators see the
learner's progress and answers on the whole course. Someone who already has an account is
invited, and joins by accepting while signed in (``join_cohort``); an address with no account
may sign up, and the account created from the invitation joins once its address is verified
(``link_memberships``: a new account has nothing to show).

Invitation emails go out after the transaction commits, so that a failed email never undoes
an invitation (it can be sent again from the learners page), and a rolled-back invitation
never sends one. Each email is claimed in the database before it is sent
(``invitation_sent_at``), so a retried or redelivered task sends nothing twice. Large uploads
are emailed by Celery in chunks, outside the request.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar
from urllib.parse import urlencode

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Field
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Invitation, User
from cohorts.models import Cohort, Membership, ModuleSchedule
from courses.models import Course

logger = logging.getLogger(__name__)

# Emails per Celery task when a file of learners is uploaded.
INVITATION_EMAIL_CHUNK = 100
# Rows per query when looking up or inserting thousands of addresses.
BATCH = 1000

T = TypeVar("T")

Dates = tuple[datetime.date | None, datetime.date | None]


class CohortError(Exception):
    """A change to a cohort that its rules do not allow; the message is for the user."""


class CourseHasMembers(CohortError):
    def __init__(self) -> None:
        super().__init__(
            "You cannot change the course of a cohort that has learners. "
            "Remove its learners first, or create a new cohort for the other course"
        )


class CohortArchived(CohortError):
    def __init__(self) -> None:
        super().__init__("This cohort is archived: un-archive it before inviting learners")


class InvalidSchedule(CohortError):
    pass


class AlreadyJoined(CohortError):
    def __init__(self) -> None:
        super().__init__("This learner has already joined the cohort")


class InvitationNotPending(CohortError):
    def __init__(self) -> None:
        super().__init__("This invitation has already been accepted or withdrawn")


# --- Cohorts ----------------------------------------------------------------------------------
@transaction.atomic
def create_cohort(
    *,
    name: str,
    course: Course,
    start_date: datetime.date,
    facilitators: Iterable[User] = (),
    report_viewers: Iterable[User] = (),
    created_by: User | None = None,
) -> Cohort:
    cohort = Cohort(name=name, course=course, start_date=start_date, created_by=created_by)
    cohort.full_clean()
    cohort.save()
    cohort.facilitators.set(list(facilitators))
    cohort.report_viewers.set(list(report_viewers))
    return cohort


@transaction.atomic
def update_cohort(
    *,
    cohort: Cohort,
    name: str,
    course: Course,
    start_date: datetime.date,
    facilitators: Iterable[User],
    report_viewers: Iterable[User],
    archived: bool = False,
    schedule: Mapping[int, Dates] | None = None,
) -> Cohort:
    """Change a cohort's details. ``schedule`` maps module ids of the cohort's course to
    (release date, due date); it is ignored when the course changes, since the old course's
    modules no longer apply, and the old schedule is removed.

    Raises ``CourseHasMembers`` when the course would change under learners who have been
    invited to it, and ``InvalidSchedule`` when a due date is before its release date."""
    locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
    course_changed = locked.course_id != course.pk
    if course_changed and Membership.objects.filter(cohort=locked).exists():
        raise CourseHasMembers()
    locked.name = name
    locked.course = course
    locked.start_date = start_date
    locked.archived = archived
    locked.full_clean()
    locked.save()
    locked.facilitators.set(list(facilitators))
    locked.report_viewers.set(list(report_viewers))
    if course_changed:
        ModuleSchedule.objects.filter(cohort=locked).delete()
    elif schedule is not None:
        set_schedule(cohort=locked, schedule=schedule)
    return locked


@transaction.atomic
def set_schedule(*, cohort: Cohort, schedule: Mapping[int, Dates]) -> None:
    """Set each module's release and due dates. A module with neither has no schedule row."""
    modules = set(cohort.course.modules.values_list("pk", flat=True))
    if unknown := set(schedule) - modules:
        raise InvalidSchedule(f"Modules {sorted(unknown)} are not in this cohort's course")
    for release, due in schedule.values():
        if release and due and due < release:
            raise InvalidSchedule("A module's due date must be on or after its release date")
    existing = {row.module_id: row for row in ModuleSchedule.objects.filter(cohort=cohort)}
    for module_id, (release, due) in schedule.items():
        row = existing.get(module_id)
        if release is None and due is None:
            if row is not None:
                row.delete()
        elif row is None:
            ModuleSchedule.objects.create(
                cohort=cohort, module_id=module_id, release_date=release, due_date=due
            )
        elif (row.release_date, row.due_date) != (release, due):
            row.release_date, row.due_date = release, due
            row.save(update_fields=["release_date", "due_date"])


# --- Inviting learners ------------------------------------------------------------------------
def normalise_email(email: str) -> str:
    return email.strip().lower()


class Invitee(Protocol):
    """Someone to invite, such as a row of an uploaded file (``cohorts.invitations``)."""

    @property
    def email(self) -> str: ...

    @property
    def group(self) -> str: ...


@dataclass
class BulkInvitation:
    invited: list[Membership] = field(default_factory=list)
    # Addresses that were in the cohort already, in the order given.
    already_in_cohort: list[str] = field(default_factory=list)
    # Whether the emails were handed to Celery: None until the transaction commits; False
    # when the broker could not take them (the invitations stay, unsent, to be sent later).
    emails_queued: bool | None = None


def invite_learner(
    *, cohort: Cohort, email: str, group: str = "", invited_by: User | None = None
) -> tuple[Membership, bool]:
    """Add one address to a cohort and email it, like ``get_or_create``: an address already
    in the cohort is left as it is (nothing is sent) and ``False`` is returned with it.

    The membership stays pending: an address with a verified account is asked to sign in and
    accept; any other address is allowed to sign up (an ``accounts.Invitation``)."""
    email = normalise_email(email)
    validate_email(email)
    if cohort.archived:
        raise CohortArchived()
    with transaction.atomic():
        _lock(cohort)
        existing = Membership.objects.filter(cohort=cohort, email=email).first()
        if existing is not None:
            return existing, False
        has_account = email in _verified_accounts([email])
        membership = Membership(
            cohort=cohort, email=email, group=group.strip(), invited_by=invited_by
        )
        membership.full_clean(
            exclude=["cohort", "learner", "invited_by"], validate_constraints=False
        )
        try:
            with transaction.atomic():  # a savepoint: someone may have invited them just now
                membership.save()
        except IntegrityError:
            return Membership.objects.get(cohort=cohort, email=email), False
        if not has_account:
            account_services.invite(email=email, invited_by=invited_by)
        membership_id = membership.pk
        transaction.on_commit(
            lambda: send_invitation_emails(membership_ids=[membership_id]), robust=True
        )
    return membership, True


@transaction.atomic
def invite_learners(
    *, cohort: Cohort, invitees: Sequence[Invitee], invited_by: User | None = None
) -> BulkInvitation:
    """Invite many addresses at once (an uploaded file), all or nothing, in a bounded number
    of queries. Addresses already in the cohort are skipped and listed. Everyone invited is
    pending, as with ``invite_learner``. The emails are sent by Celery tasks of
    ``INVITATION_EMAIL_CHUNK`` each once the transaction commits; ``emails_queued`` on the
    result then says whether the broker took them."""
    if cohort.archived:
        raise CohortArchived()
    wanted: dict[str, str] = {}  # address: group
    for invitee in invitees:
        email, group = normalise_email(invitee.email), invitee.group.strip()
        validate_email(email)
        if len(email) > _max_length("email") or len(group) > _max_length("group"):
            raise ValidationError(f"The address or group of {email} is too long")
        wanted.setdefault(email, group)
    _lock(cohort)
    present = {
        email
        for emails in _batches(list(wanted), BATCH)
        for email in Membership.objects.filter(cohort=cohort)
        .annotate(lower_email=Lower("email"))
        .filter(lower_email__in=emails)
        .values_list("lower_email", flat=True)
    }
    result = BulkInvitation(already_in_cohort=[email for email in wanted if email in present])
    new = {email: group for email, group in wanted.items() if email not in present}
    if not new:
        return result
    accounts = _verified_accounts(list(new))
    memberships = [
        Membership(cohort=cohort, email=email, group=group, invited_by=invited_by)
        for email, group in new.items()
    ]
    Invitation.objects.bulk_create(
        [Invitation(email=email, invited_by=invited_by) for email in new if email not in accounts],
        batch_size=BATCH,
        ignore_conflicts=True,  # already allowed to sign up
    )
    result.invited = Membership.objects.bulk_create(memberships, batch_size=BATCH)
    ids = [membership.pk for membership in result.invited]

    def queue() -> None:
        result.emails_queued = queue_invitation_emails(membership_ids=ids)

    # The invitations are saved whatever happens to the broker, and the page says so; the
    # unsent ones can be sent from the learners page.
    transaction.on_commit(queue, robust=True)
    return result


def queue_invitation_emails(*, membership_ids: Sequence[int]) -> bool:
    """Hand the invitations to Celery in chunks. Returns False, having logged why, when the
    broker refuses them; those not queued stay unsent (``invitation_sent_at`` is empty)."""
    from cohorts import tasks

    try:
        for chunk in _batches(list(membership_ids), INVITATION_EMAIL_CHUNK):
            tasks.send_invitations.delay(chunk)
    except Exception:
        logger.exception("Could not queue the invitation emails")
        return False
    return True


def send_unsent_invitations(*, cohort: Cohort) -> tuple[int, bool]:
    """Queue the emails of the cohort's pending invitations that have not been sent (the
    broker was down, or sending failed). Returns how many, and whether they were queued.
    An email already on its way is not sent twice: each one is claimed as it is sent."""
    if cohort.archived:
        raise CohortArchived()
    ids = list(
        Membership.objects.filter(
            cohort=cohort, learner__isnull=True, invitation_sent_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return len(ids), bool(ids) and queue_invitation_emails(membership_ids=ids)


def resend_invitation(*, membership: Membership) -> None:
    """Email a learner who has not joined yet their invitation again, and make sure the
    address may still sign up."""
    if membership.learner_id is not None:
        raise AlreadyJoined()
    if membership.cohort.archived:
        raise CohortArchived()
    with transaction.atomic():
        if membership.email not in _verified_accounts([membership.email]):
            account_services.invite(email=membership.email, invited_by=membership.invited_by)
        # Asked for again: clear the claim, so that the email is sent even if one was before.
        Membership.objects.filter(pk=membership.pk, learner__isnull=True).update(
            invitation_sent_at=None
        )
        membership_id = membership.pk
        transaction.on_commit(
            lambda: send_invitation_emails(membership_ids=[membership_id]), robust=True
        )


@transaction.atomic
def remove_learner(*, membership: Membership) -> None:
    """Take a learner out of a cohort. Their own progress in the course is theirs and is
    kept. An address that was only allowed to sign up because of this cohort no longer is."""
    email = membership.email
    membership.delete()
    _withdraw_right_to_sign_up(email)


def _withdraw_right_to_sign_up(email: str) -> None:
    if not Membership.objects.filter(email=email, learner__isnull=True).exists():
        Invitation.objects.pending().filter(email=email).delete()


def join_cohort(*, membership: Membership, learner: User) -> None:
    """Accept an invitation: the learner joins the cohort, and its facilitators see their
    progress on its course from now on. The caller must have checked that the invited address
    is a verified address of ``learner`` (``roster.pending_memberships_for``).

    Raises ``InvitationNotPending`` when the invitation was accepted, withdrawn or declined
    meanwhile, or the learner is already in the cohort through another address."""
    try:
        with transaction.atomic():
            joined = (
                Membership.objects.filter(pk=membership.pk, learner__isnull=True)
                # One membership per person in a cohort (and a constraint for a race).
                .exclude(cohort__memberships__learner=learner)
                .update(learner=learner, joined_at=timezone.now())
            )
    except IntegrityError:
        joined = 0  # the same person joined through another address at the same moment
    if not joined:
        raise InvitationNotPending()


@transaction.atomic
def decline_invitation(*, membership: Membership) -> None:
    """Turn an invitation down: the pending membership goes, as if it had been withdrawn.
    The caller must have checked that it is the invited person's (as for ``join_cohort``)."""
    deleted, _ = Membership.objects.filter(pk=membership.pk, learner__isnull=True).delete()
    if not deleted:
        raise InvitationNotPending()
    _withdraw_right_to_sign_up(membership.email)


def link_memberships(*, user: User, email: str | None = None) -> int:
    """Join the account to every cohort its address was invited to, without asking. Call it
    only for an account created from an invitation, once its address is verified: an address
    that is merely typed in proves nothing, and the cohort's facilitators would see an older
    account's history, which its owner has not agreed to share (``join_cohort`` asks).
    Returns how many cohorts the account joined."""
    address = normalise_email(email or user.email)
    return (
        Membership.objects.annotate(lower_email=Lower("email"))
        .filter(lower_email=address, learner__isnull=True)
        .exclude(cohort__memberships__learner=user)  # one membership per person in a cohort
        .update(learner=user, joined_at=timezone.now())
    )


def _max_length(field_name: str) -> int:
    model_field = Membership._meta.get_field(field_name)
    assert isinstance(model_field, Field)
    return model_field.max_length or 0


def _lock(cohort: Cohort) -> None:
    """Serialise invitations to one cohort, so that two at once cannot add the same address
    (the unique constraint would refuse the second, failing a whole upload)."""
    Cohort.objects.select_for_update().filter(pk=cohort.pk).values_list("pk").first()


def _verified_accounts(emails: Sequence[str]) -> dict[str, User]:
    """The account behind each address that has been verified, by lower-case address."""
    found: dict[str, User] = {}
    for batch in _batches(list(emails), BATCH):
        addresses = (
            EmailAddress.objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=batch, verified=True, user__is_active=True)
            .select_related("user")
        )
        found.update({address.lower_email: address.user for address in addresses})
    return found


def _batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --- Invitation emails ------------------------------------------------------------------------
@dataclass
class SentInvitations:
    sent: int = 0
    failed: int = 0


def send_invitation_emails(*, membership_ids: Sequence[int]) -> SentInvitations:
    """Email each pending invitation that has not been sent: an invitation to sign up, or,
    for an address that already has an account, to sign in and accept. Each email is claimed
    (``invitation_sent_at``) before it is sent, so running this twice sends nothing twice; a
    message that fails is logged, unclaimed so it can be sent again, and the others still go.
    Raises ``OSError`` before anything is claimed when the mail server cannot be reached."""
    result = SentInvitations()
    memberships = list(
        Membership.objects.filter(
            pk__in=membership_ids, learner__isnull=True, invitation_sent_at__isnull=True
        )
        .select_related("cohort__course", "invited_by")
        .order_by("pk")
    )
    if not memberships:
        return result
    accounts = _verified_accounts([membership.email for membership in memberships])
    with get_connection() as connection:
        for membership in memberships:
            claimed_at = timezone.now()
            claimed = Membership.objects.filter(
                pk=membership.pk, learner__isnull=True, invitation_sent_at__isnull=True
            ).update(invitation_sent_at=claimed_at)
            if not claimed:
                continue  # sent meanwhile by another task, or joined
            try:
                _invitation_email(
                    membership, connection, has_account=membership.email in accounts
                ).send()
            except Exception:
                logger.exception("Could not send the invitation for membership %s", membership.pk)
                Membership.objects.filter(pk=membership.pk, invitation_sent_at=claimed_at).update(
                    invitation_sent_at=None
                )
                result.failed += 1
            else:
                result.sent += 1
    return result


def _invitation_email(
    membership: Membership, connection: BaseEmailBackend, *, has_account: bool
) -> EmailMultiAlternatives:
    cohort = membership.cohort
    site = settings.SITE_URL.rstrip("/")
    context = {
        "membership": membership,
        "cohort": cohort,
        "course": cohort.course,
        "inviter": membership.invited_by,
        "email": membership.email,
        "signup_url": f"{site}{reverse('account_signup')}?{urlencode({'email': membership.email})}",
        "login_url": f"{site}{reverse('account_login')}",
        "home_url": f"{site}{reverse('home')}",
    }
    kind = "added" if has_account else "signup"
    subject = render_to_string(f"cohorts/email/invitation_{kind}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"cohorts/email/invitation_{kind}.txt", context),
        to=[membership.email],
        reply_to=[membership.invited_by.email] if membership.invited_by else None,
        connection=connection,
    )
    message.attach_alternative(
        render_to_string(f"cohorts/email/invitation_{kind}.html", context), "text/html"
    )
    return message
