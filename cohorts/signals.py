"""Joining cohorts once an invited address is proven to belong to a new account."""

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from cohorts import services


@receiver(email_confirmed)
def join_cohorts_once_verified(
    sender: Any, request: Any, email_address: Any, **kwargs: Any
) -> None:
    user = email_address.user
    # Only an account created from the invitation joins by verifying its address: it has never
    # signed in (sign-in waits for a verified address), so it has no progress for facilitators
    # to see. Someone who has used the service before, adding an address to their account,
    # decides for themselves from the invitation shown once they are signed in.
    if user.last_login is None:
        services.link_memberships(user=user, email=email_address.email)
