"""Closing an account: at its owner's request, or after a long time unused (retention).

The account is not deleted but anonymised, so that what it contributed to figures for groups
stays: cohort progress and question statistics count its progress rows and the scores of its
answers, which are kept, attached to an inactive account with no name and a placeholder
address. Everything that says who the person was, or what they wrote in their own words, goes.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.data_export import own_addresses
from accounts.models import Invitation, User
from accounts.roles import AUTHORS_GROUP, TUTORS_GROUP
from audit import services as audit
from audit.models import AuditEvent
from authoring.models import CourseRole, Role
from cohorts.models import Cohort, Membership
from courses.models import LessonCompletion
from exercises.models import Kind, Submission
from progress.models import Certificate, CourseProgress

# RFC 2606 keeps ".invalid" for names that can never be delivered to.
PLACEHOLDER_DOMAIN = "anonymised.invalid"
REMOVED_NAME = "Name removed"


class Reason(StrEnum):
    REQUESTED = "requested"  # the person closed their own account
    RETENTION = "retention"  # unused for ACCOUNT_RETENTION_DAYS


AUDIT_ACTIONS = {
    Reason.REQUESTED: "account.deleted",
    Reason.RETENTION: "account.anonymised_by_retention",
}


class AccountCannotBeClosed(Exception):
    """Closing the account would leave a course or the service without anyone to run it."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def placeholder_email(*, user_id: int) -> str:
    return f"deleted-{user_id}@{PLACEHOLDER_DOMAIN}"


def is_anonymised(user: User) -> bool:
    return user.email == placeholder_email(user_id=user.pk)


def closing_blockers(*, user: User) -> list[str]:
    """Why the person cannot close their account themselves, as sentences for them: they are
    the last administrator, or the last owner of a course. Empty when they can."""
    reasons = []
    others = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if user.is_superuser and not others.filter(is_superuser=True).exists():
        reasons.append(
            "You are the only administrator with full access. Give someone else full access "
            "before you delete your account."
        )
    elif user.is_staff and not others.filter(is_staff=True).exists():
        reasons.append(
            "You are the only administrator. Make someone else an administrator before you "
            "delete your account."
        )
    other_owners = CourseRole.objects.filter(
        workspace=OuterRef("workspace"), role=Role.OWNER, user__is_active=True
    ).exclude(user=user)
    sole = (
        CourseRole.objects.filter(user=user, role=Role.OWNER)
        .exclude(Exists(other_owners))
        .select_related("workspace__draft")
        .order_by("workspace__slug")
    )
    reasons += [
        f"You are the only owner of the course ‘{role.workspace.draft.title}’. Make someone "
        "else its owner before you delete your account."
        for role in sole
    ]
    return reasons


@transaction.atomic
def anonymise_user(*, user: User, reason: Reason) -> bool:
    """Close the account: remove what identifies the person, keep their figures. Returns False
    when it was already done (so running it twice changes nothing). Raises
    ``AccountCannotBeClosed`` when the person was asking and ``closing_blockers`` objects;
    retention never picks such accounts (``accounts_due_for_removal``).

    The account's sessions are deleted, so it is signed out everywhere; the caller signs the
    current request out too."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_anonymised(user):
        return False
    if reason == Reason.REQUESTED and (blockers := closing_blockers(user=user)):
        raise AccountCannotBeClosed(blockers)
    addresses = own_addresses(user=user)
    placeholder = placeholder_email(user_id=user.pk)

    # Who they were: name, addresses, ways to sign in, roles.
    user.email = placeholder
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.progress_emails = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user.facilitated_cohorts.clear()
    user.reported_cohorts.clear()
    CourseRole.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        from allauth.socialaccount.models import SocialAccount

        SocialAccount.objects.filter(user=user).delete()
    # Their sessions end by themselves: Django refuses a session whose account is inactive and
    # whose password changed (now unusable) since it began.

    # Invitations to their addresses; the cohorts they joined keep them, under the placeholder.
    Invitation.objects.filter(email__in=addresses).delete()
    Membership.objects.filter(learner__isnull=True, email__in=addresses).delete()
    Membership.objects.filter(learner=user).update(email=placeholder)
    Certificate.objects.filter(learner=user).update(learner_name=REMOVED_NAME)
    _remove_own_words(user_id=user.pk)

    # The audit log keeps what happened, not who it was, nor where from. (Finding the events
    # that name them in their details reads the whole log: a cost paid once per account.)
    events = AuditEvent.objects.annotate(lower_target=Lower("target"))
    by_them = Q(actor=user) | Q(actor_email__in=addresses)
    about_them = Q(lower_target__in=addresses)
    mentions = Q()
    for address in addresses:
        mentions |= Q(details__icontains=address)
    for event in AuditEvent.objects.filter(mentions):
        event.details = _replace_addresses(event.details, addresses, placeholder)
        event.save(update_fields=["details"])
    events.filter(by_them).update(actor_email=placeholder, ip_address=None)
    events.filter(about_them).update(target=placeholder)
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=placeholder)

    audit.record(
        actor=user if reason == Reason.REQUESTED else None,
        action=AUDIT_ACTIONS[reason],
        target=placeholder,
        details={"reason": str(reason)},
    )
    return True


def _replace_addresses(value: Any, addresses: set[str], placeholder: str) -> Any:
    if isinstance(value, str):
        return placeholder if value.lower() in addresses else value
    if isinstance(value, list):
        return [_replace_addresses(item, addresses, placeholder) for item in value]
    if isinstance(value, dict):
        return {k: _replace_addresses(v, addresses, placeholder) for k, v in value.items()}
    return value


def _remove_own_words(*, user_id: int) -> None:
    """Written answers say things in the person's own words, and a tutor's comment may quote
    them: both go. Each answer becomes a fingerprint made with a key that is thrown away, so
    that the question analysis still counts how many *different* wrong answers were given,
    while no one can tell what they were. (One that was word for word someone else's now
    counts as different from theirs: the only figure that can move, and only by one.) Scores
    and marks stay."""
    key = secrets.token_bytes(32)
    written = Submission.objects.filter(learner_id=user_id, exercise__kind=Kind.FREE_TEXT)
    for pk, answer in written.values_list("pk", "answer"):
        text = json.dumps(answer, sort_keys=True).encode()
        digest = hmac.new(key, text, hashlib.sha256).hexdigest()[:32]
        Submission.objects.filter(pk=pk).update(
            answer={"text": "", "removed": digest}, tutor_comment=""
        )


# --- Retention ---------------------------------------------------------------------------------
def accounts_due_for_removal(*, now: datetime.datetime | None = None) -> QuerySet[User]:
    """Accounts nobody has signed in to, read or answered on for ACCOUNT_RETENTION_DAYS (none
    when that is 0). Never staff, authors, tutors, anyone with a role on a course, or a
    facilitator of a cohort still running: closing theirs would leave others without them."""
    days = settings.ACCOUNT_RETENTION_DAYS
    if days <= 0:
        return User.objects.none()
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    recent = (
        Exists(CourseProgress.objects.filter(learner=OuterRef("pk"), last_active_at__gte=cutoff))
        | Exists(Submission.objects.filter(learner=OuterRef("pk"), submitted_at__gte=cutoff))
        | Exists(LessonCompletion.objects.filter(learner=OuterRef("pk"), completed_at__gte=cutoff))
    )
    staff_groups = Group.objects.filter(name__in=[AUTHORS_GROUP, TUTORS_GROUP])
    return (
        User.objects.filter(is_staff=False, is_superuser=False)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(email__endswith=f"@{PLACEHOLDER_DOMAIN}")
        .exclude(Exists(CourseRole.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(Cohort.objects.filter(facilitators=OuterRef("pk"), archived=False)))
        .exclude(groups__in=staff_groups)
        .exclude(recent)
        .order_by("pk")
    )


def anonymise_inactive_accounts(*, now: datetime.datetime | None = None) -> int:
    """Anonymise every account due for removal; returns how many. Each is checked again, under
    its lock, just before: someone who signs in meanwhile is kept."""
    done = 0
    for user_id in _ids(accounts_due_for_removal(now=now)):
        with transaction.atomic():
            # Locked first (signing in updates this row), then checked again.
            user = User.objects.select_for_update().filter(pk=user_id).first()
            if user is None or not accounts_due_for_removal(now=now).filter(pk=user_id).exists():
                continue
            if anonymise_user(user=user, reason=Reason.RETENTION):
                done += 1
    return done


def _ids(users: QuerySet[User]) -> Iterable[int]:
    return list(users.values_list("pk", flat=True))
