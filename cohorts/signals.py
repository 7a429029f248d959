"""Joining cohorts once an invited address is proven to belong to its account."""

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from cohorts import services


@receiver(email_confirmed)
def join_cohorts_once_verified(
    sender: Any, request: Any, email_address: Any, **kwargs: Any
) -> None:
    services.link_memberships(user=email_address.user, email=email_address.email)
