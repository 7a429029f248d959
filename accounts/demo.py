"""Demo accounts: one per role, for trying Masterclass locally. Never in production."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import User
from accounts.roles import AUTHORS_GROUP


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    password: str
    name: tuple[str, str]
    staff: bool = False
    author: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("learner", "learner@example.gov.uk", "demo-learner-pass", ("Alex", "Learner")),
    DemoAccount(
        "author", "author@example.gov.uk", "demo-author-pass", ("Sam", "Author"), author=True
    ),
    DemoAccount(
        "facilitator", "facilitator@example.gov.uk", "demo-facilitator-pass", ("Kim", "Facilitator")
    ),
    DemoAccount("admin", "admin@example.gov.uk", "demo-admin-pass", ("Jo", "Admin"), staff=True),
)


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
        results.append((account, user, created))
    return results
