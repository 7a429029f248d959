"""Who may sign in through a single sign-on provider, and to which account."""

from __future__ import annotations

from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render

from accounts import services
from accounts.signup_policy import may_sign_up


class Refusal(StrEnum):
    NO_EMAIL = "no_email"
    UNVERIFIED_EMAIL = "unverified_email"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    NO_ACCOUNT = "no_account"


def allowed_domains(*, provider_domains: list[str]) -> list[str]:
    """The domains a provider may vouch for: its own list, else the sign-up domains."""
    return provider_domains or list(settings.SIGNUP_ALLOWED_DOMAINS)


def refusal_for(
    *, email: str | None, verified: bool, provider_domains: list[str]
) -> Refusal | None:
    """Why this provider's word on ``email`` cannot sign anyone in, or None if it can.

    Accounts are matched by email address, so the provider must have verified the address,
    and the address must be on a domain the provider is trusted for.
    """
    if not email:
        return Refusal.NO_EMAIL
    if not verified:
        return Refusal.UNVERIFIED_EMAIL
    domain = email.rpartition("@")[2].lower()
    patterns = allowed_domains(provider_domains=provider_domains)
    if not any(fnmatchcase(domain, pattern.lower()) for pattern in patterns):
        return Refusal.DOMAIN_NOT_ALLOWED
    return None


def _primary_address(sociallogin: SocialLogin) -> Any:
    addresses = sociallogin.email_addresses
    return next((a for a in addresses if a.primary), addresses[0] if addresses else None)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # Checked on every sign-in, not only the first: an address the provider no longer
        # vouches for, or a domain since removed, stops signing in.
        address = _primary_address(sociallogin)
        refusal = refusal_for(
            email=address.email if address else None,
            verified=bool(address and address.verified),
            provider_domains=sociallogin.provider.app.settings.get("allowed_domains", []),
        )
        if refusal:
            self._refuse(request, sociallogin, refusal)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # Reached only for someone with no account: the sign-up policy (an invitation, or an
        # address on an allowed domain) decides, as it does for sign-up with a password.
        address = _primary_address(sociallogin)
        if not may_sign_up(email=address.email):
            self._refuse(request, sociallogin, Refusal.NO_ACCOUNT)
        return True

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        # The provider vouched for the address, as a confirmation code would have.
        services.accept_invitation(email=_primary_address(sociallogin).email)
        return user

    def _refuse(self, request: HttpRequest, sociallogin: SocialLogin, refusal: Refusal) -> None:
        address = _primary_address(sociallogin)
        response = render(
            request,
            "socialaccount/sign_in_refused.html",
            {
                "reason": refusal.value,
                "provider_name": sociallogin.provider.name,
                "email": address.email if address else "",
            },
            status=403,
        )
        raise ImmediateHttpResponse(response)
