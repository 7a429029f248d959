import time
from typing import Any

from allauth.account.signals import email_confirmed
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts import context_processors, middleware, services


@receiver(email_confirmed)
def accept_invitation_once_verified(
    sender: Any, request: Any, email_address: Any, **kwargs: Any
) -> None:
    # Only when the address is proven: someone who merely knows an invited address cannot use
    # up the invitation by signing up with it.
    services.accept_invitation(email=email_address.email)


@receiver(user_logged_in)
def remember_navigation_roles(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # The navigation's role links, decided once at sign-in rather than on every page.
    if request is not None:
        context_processors.remember_roles(request=request, user=user)


@receiver(user_logged_in)
def start_the_session_clock(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # For signing out after inactivity, and a fixed time after signing in (accounts.middleware).
    if request is not None and getattr(request, "session", None) is not None:
        now = int(time.time())
        request.session[middleware.SIGNED_IN_KEY] = now
        request.session[middleware.LAST_SEEN_KEY] = now


@receiver(authenticator_added)
@receiver(authenticator_removed)
def remember_second_factor(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # So that someone who has just set up a second factor goes straight on to staff pages.
    if request is not None and getattr(request, "session", None) is not None:
        context_processors.note_mfa(request=request, user=user)
