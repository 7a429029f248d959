from typing import Any

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts import context_processors, services


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
