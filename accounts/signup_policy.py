"""Who may create an account."""

from fnmatch import fnmatchcase

from django.conf import settings

from accounts.models import Invitation


def domain_is_allowed(*, email: str) -> bool:
    domain = email.rpartition("@")[2].lower()
    return any(fnmatchcase(domain, pattern.lower()) for pattern in settings.SIGNUP_ALLOWED_DOMAINS)


def may_sign_up(*, email: str) -> bool:
    email = email.strip().lower()
    return (
        domain_is_allowed(email=email) or Invitation.objects.pending().filter(email=email).exists()
    )
