"""Demo accounts: one per role, for trying Masterclass locally. Never in production."""

import time
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import encrypt
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import AUTHORS_GROUP

TOTP_PERIOD = 30  # allauth's default (MFA_TOTP_PERIOD)


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    name: tuple[str, str]
    staff: bool = False
    author: bool = False
    # Their role needs a second factor (accounts.mfa): an authenticator app is set up with
    # DEMO_TOTP_SECRET, and `manage.py demo_code` shows its current code.
    second_factor: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("learner", "learner@example.gov.uk", "demo-learner-pass", ("Alex", "Learner")),
    DemoAccount(
        "author",
        "author@example.gov.uk",
        "demo-author-pass",
        ("Sam", "Author"),
        author=True,
        second_factor=True,
    ),
    DemoAccount(
        "facilitator",
        "facilitator@example.gov.uk",
        "demo-facilitator-pass",
        ("Kim", "Facilitator"),
        second_factor=True,
    ),
    DemoAccount(
        "admin",
        "admin@example.gov.uk",
        "demo-admin-pass",
        ("Jo", "Admin"),
        staff=True,
        second_factor=True,
    ),
)
# Published, like the passwords: the demo staff accounts' authenticator app. Add it to any
# authenticator app, or read the current code with `manage.py demo_code <email>`.
DEMO_TOTP_SECRET = "MASTERCLASSDEMOTOTPSECRETKEY2345"  # noqa: S105 (a demo, published)


@transaction.atomic
def load_demo_accounts() -> list[tuple[DemoAccount, User, bool]]:
    """Create or reset the demo accounts; returns each with its user and whether it was new."""
    authors, _ = Group.objects.get_or_create(name=AUTHORS_GROUP)
    results = []
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(email=account.email)
        user.first_name, user.last_name = account.name
        user.is_staff = user.is_superuser = account.staff
        user.is_active = True
        user.set_password(account.password)
        user.save()
        if account.author:
            user.groups.add(authors)
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.second_factor:
            Authenticator.objects.update_or_create(
                user=user,
                type=Authenticator.Type.TOTP,
                defaults={"data": {"secret": encrypt(DEMO_TOTP_SECRET)}},
            )
        results.append((account, user, created))
    return results


def current_code(*, email: str) -> str:
    """The code the demo account's authenticator app shows now."""
    if not any(a.email == email and a.second_factor for a in DEMO_ACCOUNTS):
        raise LookupError(f"{email} is not a demo account with an authenticator app")
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // TOTP_PERIOD))
