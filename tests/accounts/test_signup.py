import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Invitation, User
from tests.accounts.factories import InvitationFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def sign_up(client, email: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/accounts/signup/",
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_sign_up_page_is_styled_and_explains_who_may_join(client) -> None:
    html = client.get("/accounts/signup/").content.decode()
    assert "<title>Create an account – Data Masterclass</title>" in html
    assert "allowed government domain" in html
    assert 'class="govuk-input' in html


@pytest.mark.parametrize("email", ["new.person@cabinetoffice.gov.uk", "Someone@GOV.UK"])
def test_allowed_domain_may_sign_up_and_must_verify_email(client, email: str) -> None:
    response = sign_up(client, email)
    assert response.status_code == 302
    user = User.objects.get(email__iexact=email)
    assert not user.emailaddress_set.get().verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email.lower()] or mail.outbox[0].to == [email]
    assert "_auth_user_id" not in client.session  # not signed in until verified


@pytest.mark.parametrize(
    "email", ["someone@gmail.com", "phisher@gov.uk.evil.example", "x@notgov.uk"]
)
def test_sign_up_from_a_domain_that_is_not_allowed_is_refused_and_creates_nothing(
    client, email: str
) -> None:
    response = sign_up(client, email)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "You cannot create an account with this email address" in html
    assert "<title>Error: Create an account – Data Masterclass</title>" in html
    assert 'href="#id_email"' in html  # the error summary links to the field
    assert not User.objects.exists()
    assert mail.outbox == []


def test_invited_address_may_sign_up_and_the_invitation_is_accepted(client) -> None:
    invitation = InvitationFactory(email="Perm.Sec@Partner.example.org")
    response = sign_up(client, "perm.sec@partner.example.org")
    assert response.status_code == 302
    assert User.objects.filter(email="perm.sec@partner.example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # not until the address is proven
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)
    response = client.post("/accounts/confirm-email/", {"code": code})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_an_accepted_invitation_does_not_admit_a_second_account(client) -> None:
    invitation = InvitationFactory(email="guest@partner.example.org")
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at="2026-01-01T00:00Z")
    response = sign_up(client, "guest@partner.example.org")
    assert response.status_code == 200
    assert not User.objects.exists()


def test_signup_is_rate_limited(settings) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    for n in range(2):
        assert sign_up(Client(), f"person{n}@example.gov.uk").status_code == 302
    response = sign_up(Client(), "person3@example.gov.uk")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert User.objects.count() == 2
