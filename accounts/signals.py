from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from accounts import services


@receiver(email_confirmed)
def accept_invitation_once_verified(
    sender: Any, request: Any, email_address: Any, **kwargs: Any
) -> None:
    # Only when the address is proven: someone who merely knows an invited address cannot use
    # up the invitation by signing up with it.
    services.accept_invitation(email=email_address.email)
