"""Two-factor authentication: who must have it, and whether they have it.

Admins, authors (the Authors group, or any role on a course), tutors and cohort facilitators
change what learners see or see individual leaders' answers: they must set up an authenticator
app or a security key (allauth.mfa) before they reach any page but their account's.
Learners and report viewers (who see only aggregates) may set one up; they need not.
Recovery codes are a way back in, not a second factor of their own, so they do not count.
"""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn.views import RemoveWebAuthnView
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, HttpResponseRedirect

from accounts.models import User
from accounts.roles import AUTHORS_GROUP, TUTORS_GROUP
from authoring.models import CourseRole
from cohorts.models import Cohort
from courses.selectors import Person

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
REQUIRED_MESSAGE = (
    "Your role on Data Masterclass needs two-factor authentication. Set up an authenticator "
    "app or a security key to continue."
)
LAST_ONE_MESSAGE = (
    "Your role needs two-factor authentication, so you cannot remove your only authenticator "
    "app or security key. Add another one first."
)


def requires_mfa(user: Person) -> bool:
    """Whether the person's roles need a second factor. One query (none for admins)."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    groups = User.groups.through.objects.filter(
        user=OuterRef("pk"), group__name__in=[AUTHORS_GROUP, TUTORS_GROUP]
    )
    course_roles = CourseRole.objects.filter(user=OuterRef("pk"))
    facilitating = Cohort.facilitators.through.objects.filter(user=OuterRef("pk"))
    return (
        User.objects.filter(pk=user.pk)
        .filter(Q(Exists(groups)) | Q(Exists(course_roles)) | Q(Exists(facilitating)))
        .exists()
    )


def has_mfa(user: Person) -> bool:
    """Whether the person has an authenticator app or a security key set up."""
    return (
        user.is_authenticated
        and Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()
    )


def may_remove(authenticator: Authenticator) -> bool:
    """Whether removing this authenticator leaves its owner with what their roles need."""
    if authenticator.type not in SECOND_FACTORS or not requires_mfa(authenticator.user):
        return True
    others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=SECOND_FACTORS)
    return others.exclude(pk=authenticator.pk).exists()


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": LAST_ONE_MESSAGE,
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # allauth asks this before it turns the authenticator app off.
        return may_remove(authenticator)


class RemoveSecurityKeyView(RemoveWebAuthnView):
    """allauth's "remove security key", refused for someone's last second factor when their
    role needs one (allauth asks the adapter only about authenticator apps)."""

    def form_valid(self, form: object) -> HttpResponse:
        if not may_remove(self.get_object()):
            messages.error(self.request, LAST_ONE_MESSAGE)
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


remove_security_key = RemoveSecurityKeyView.as_view()
