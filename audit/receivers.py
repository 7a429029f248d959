"""Security-relevant events recorded from the signals of Django, allauth and our own models, so
that no view has to remember to do it. Connected in ``AuditConfig.ready``.

Model signals carry no request: the one being served (if any) comes from allauth's request
context, which its middleware sets for every request, so that a change made in the Django admin
is put down to the admin who made it. Changes made outside a request (a management command,
a shell) are recorded with no actor: "the system".
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.contrib.auth.models import Group
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.http import HttpRequest

from accounts.models import User
from audit.services import record
from cohorts.models import Cohort

STAFF_FLAGS = {"is_staff": "Admin", "is_superuser": "Superuser"}
COHORT_ROLES = {"facilitators": "Facilitator", "report_viewers": "Report viewer"}
# The same relations seen from the person (Cohort's related_name for each).
PEOPLES_COHORTS = {"facilitators": "facilitated_cohorts", "report_viewers": "reported_cohorts"}
_PENDING = "_audit_flag_changes"


def _current_request() -> HttpRequest | None:
    return context.request


def _person(request: HttpRequest | None) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


# --- Signing in and out -----------------------------------------------------------------------
def signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    details: dict[str, Any] = {}
    for step in get_authentication_records(request, user):
        if step.get("method") == "mfa":
            details["mfa"] = step.get("type", "")
        elif step.get("method"):
            details["method"] = step["method"]
            if step.get("provider"):
                details["provider"] = step["provider"]
    record(actor=user, action="account.signed_in", target=user.email, details=details,
           request=request)  # fmt: skip


def signed_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if isinstance(user, User):
        record(actor=user, action="account.signed_out", target=user.email, request=request)


def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in ``credentials``; only the address is kept.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record(actor=_person(request), action="account.sign_in_failed", target=tried,
           request=request)  # fmt: skip


def sign_in_code_rejected(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(actor=_person(request), action="account.sign_in_code_rejected", target=user.email,
           details={"last_attempt": bool(kwargs.get("last_attempt"))}, request=request)  # fmt: skip


def mfa_code_rejected(
    sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
) -> None:
    record(actor=_person(request), action="mfa.code_rejected", target=user.email,
           details={"type": authenticator.type}, request=request)  # fmt: skip


# --- Account changes --------------------------------------------------------------------------
def _about_self(action: str) -> Any:
    def receiver(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        record(actor=user, action=action, target=user.email, request=request)

    receiver.__name__ = action.replace(".", "_")
    return receiver


def email_added(
    sender: Any, request: HttpRequest, user: User, email_address: Any, **kwargs: Any
) -> None:
    record(actor=user, action="account.email_added", target=email_address.email, request=request)


def email_removed(
    sender: Any, request: HttpRequest, user: User, email_address: Any, **kwargs: Any
) -> None:
    record(actor=user, action="account.email_removed", target=email_address.email,
           request=request)  # fmt: skip


def email_changed(
    sender: Any, request: HttpRequest, user: User, from_email_address: Any = None,
    to_email_address: Any = None, **kwargs: Any,
) -> None:  # fmt: skip
    record(actor=user, action="account.email_changed",
           target=to_email_address.email if to_email_address else user.email,
           details={"from": from_email_address.email if from_email_address else ""},
           request=request)  # fmt: skip


def email_confirmed(sender: Any, request: HttpRequest, email_address: Any, **kwargs: Any) -> None:
    record(actor=_person(request) or email_address.user, action="account.email_confirmed",
           target=email_address.email, request=request)  # fmt: skip


# --- Two-factor authentication ----------------------------------------------------------------
def _mfa_change(action: str) -> Any:
    def receiver(
        sender: Any, request: HttpRequest, user: User, authenticator: Any, **kwargs: Any
    ) -> None:
        record(actor=_person(request) or user, action=action, target=user.email,
               details={"type": authenticator.type}, request=request)  # fmt: skip

    receiver.__name__ = action.replace(".", "_")
    return receiver


# --- Roles: admin flags -----------------------------------------------------------------------
def note_staff_flag_changes(
    sender: Any, instance: User, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Compare the flags with what the database holds now; post_save records the difference,
    so that nothing is recorded for a save that fails."""
    if raw or (update_fields is not None and not set(STAFF_FLAGS) & set(update_fields)):
        return
    before = {flag: False for flag in STAFF_FLAGS}
    if not instance._state.adding:
        stored = User.objects.filter(pk=instance.pk).values(*STAFF_FLAGS).first()
        before.update(stored or {})
    changes = {flag: bool(getattr(instance, flag)) for flag in STAFF_FLAGS
               if bool(getattr(instance, flag)) != before[flag]}  # fmt: skip
    if changes:
        setattr(instance, _PENDING, changes)


def record_staff_flag_changes(sender: Any, instance: User, **kwargs: Any) -> None:
    changes = instance.__dict__.pop(_PENDING, None)
    if not changes:
        return
    request = _current_request()
    for flag, now in changes.items():
        record(actor=_person(request), action="role.granted" if now else "role.revoked",
               target=instance.email, details={"role": STAFF_FLAGS[flag]},
               request=request)  # fmt: skip


# --- Roles: groups and cohorts ----------------------------------------------------------------
def _record_memberships(*, action: str, pairs: list[tuple[User, str, dict[str, Any]]]) -> None:
    request = _current_request()
    for person, role, extra in pairs:
        record(actor=_person(request), action=action, target=person.email,
               details={"role": role, **extra}, request=request)  # fmt: skip


def _changed_ids(
    *, instance: Model, action: str, pk_set: set[Any] | None, related: str
) -> set[Any] | None:
    """The ids on the other side of the relation that this change adds or removes, or None
    when it is not a change to record. ``related`` names the manager on ``instance`` (for
    ``clear``, whose ids are read before they go)."""
    if action in {"post_add", "post_remove"}:
        return set(pk_set or ())
    if action == "pre_clear":
        return set(getattr(instance, related).values_list("pk", flat=True))
    return None


def group_membership_changed(
    sender: Any, instance: Model, action: str, reverse: bool, model: Any,
    pk_set: set[Any] | None, **kwargs: Any,
) -> None:  # fmt: skip
    ids = _changed_ids(instance=instance, action=action, pk_set=pk_set,
                       related="user_set" if reverse else "groups")  # fmt: skip
    if not ids:
        return
    pairs: list[tuple[User, str, dict[str, Any]]]
    if reverse:  # group.user_set.add(...)
        assert isinstance(instance, Group)
        pairs = [(person, instance.name, {}) for person in User.objects.filter(pk__in=ids)]
    else:
        assert isinstance(instance, User)
        pairs = [(instance, group.name, {}) for group in Group.objects.filter(pk__in=ids)]
    _record_memberships(action="role.granted" if action == "post_add" else "role.revoked",
                        pairs=pairs)  # fmt: skip


def _cohort_role_changed(field: str) -> Any:
    related_name = PEOPLES_COHORTS[field]

    def receiver(
        sender: Any, instance: Model, action: str, reverse: bool, model: Any,
        pk_set: set[Any] | None, **kwargs: Any,
    ) -> None:  # fmt: skip
        ids = _changed_ids(instance=instance, action=action, pk_set=pk_set,
                           related=related_name if reverse else field)  # fmt: skip
        if not ids:
            return
        if reverse:  # user.facilitated_cohorts.add(...)
            assert isinstance(instance, User)
            found = [(instance, cohort) for cohort in Cohort.objects.filter(pk__in=ids)]
        else:
            assert isinstance(instance, Cohort)
            found = [(person, instance) for person in User.objects.filter(pk__in=ids)]
        pairs = [
            (person, COHORT_ROLES[field], {"cohort": cohort.pk, "cohort_name": cohort.name})
            for person, cohort in found
        ]
        _record_memberships(action="role.granted" if action == "post_add" else "role.revoked",
                            pairs=pairs)  # fmt: skip

    receiver.__name__ = f"{field}_changed"
    return receiver


def connect() -> None:
    def on(signal: Any, receiver: Any, **kwargs: Any) -> None:
        # Strong references: some receivers are made here and held by nothing else.
        signal.connect(receiver, weak=False, dispatch_uid=f"audit.{receiver.__name__}", **kwargs)

    on(account_signals.user_logged_in, signed_in)
    on(auth_signals.user_logged_out, signed_out)
    on(auth_signals.user_login_failed, sign_in_failed)
    on(account_signals.login_code_rejected, sign_in_code_rejected)
    on(mfa_signals.authentication_failed, mfa_code_rejected)
    on(account_signals.user_signed_up, _about_self("account.signed_up"))
    on(account_signals.password_set, _about_self("account.password_set"))
    on(account_signals.password_changed, _about_self("account.password_changed"))
    on(account_signals.password_reset, _about_self("account.password_reset"))
    on(account_signals.email_added, email_added)
    on(account_signals.email_removed, email_removed)
    on(account_signals.email_changed, email_changed)
    on(account_signals.email_confirmed, email_confirmed)
    on(mfa_signals.authenticator_added, _mfa_change("mfa.added"))
    on(mfa_signals.authenticator_removed, _mfa_change("mfa.removed"))
    on(mfa_signals.authenticator_reset, _mfa_change("mfa.reset"))
    on(pre_save, note_staff_flag_changes, sender=User)
    on(post_save, record_staff_flag_changes, sender=User)
    on(m2m_changed, group_membership_changed, sender=User.groups.through)
    for field in COHORT_ROLES:
        on(m2m_changed, _cohort_role_changed(field), sender=getattr(Cohort, field).through)
