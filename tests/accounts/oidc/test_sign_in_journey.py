"""Signing in through a real OpenID provider, in Chromium: GOV.UK One Login's way
(private_key_jwt, nonce, vtr) and Entra ID's (client secret)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import expect

from accounts.models import User
from tests.accounts.factories import PASSWORD, InvitationFactory, UserFactory
from tests.accounts.oidc.conftest import KEYED_CLIENT, KEYED_PROVIDER, new_rsa_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_at_provider(page: Any, *, button: str, login: str) -> None:
    """From our sign-in page, through the provider's sign-in and consent pages, and back."""
    # The provider's development pages import a web font that this machine cannot reach.
    page.route(re.compile(r"^https://fonts\.(googleapis|gstatic)\.com/"), lambda r: r.abort())
    page.goto("/accounts/login/")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password will do")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: not url.startswith("http://127.0.0.1:"))


def signed_in_user_id(page: Any) -> str | None:
    from django.contrib.sessions.models import Session

    cookie = next((c for c in page.context.cookies() if c["name"] == "sessionid"), None)
    if cookie is None:
        return None
    session = Session.objects.filter(session_key=cookie["value"]).first()
    return session.get_decoded().get("_auth_user_id") if session else None


def test_new_learner_signs_in_with_one_login_then_signs_out(
    page: Any, configure_sso: Any, openid_provider: Any, axe: Any
) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Sign in with GOV.UK One Login")).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with Microsoft Entra ID")).to_be_visible()
    axe(page)

    sign_in_at_provider(
        page, button="Sign in with GOV.UK One Login", login="new.learner@cabinetoffice.gov.uk"
    )

    user = User.objects.get(email="new.learner@cabinetoffice.gov.uk")
    assert signed_in_user_id(page) == str(user.pk)
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (KEYED_PROVIDER, "new.learner@cabinetoffice.gov.uk")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # What One Login would have seen: a nonce, our vector of trust, and a signed assertion.
    authorization = openid_provider.events("authorization")[-1]
    assert authorization["nonce"]
    assert json.loads(authorization["vtr"]) == ["Cl.Cm"]
    token = openid_provider.events("token")[-1]
    assert token == {
        "event": "token",
        "client_id": KEYED_CLIENT,
        "auth_method": "private_key_jwt",
    }

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert signed_in_user_id(page) is None


def test_existing_account_is_linked_by_verified_email(page: Any, configure_sso: Any) -> None:
    existing = UserFactory(email="existing.person@cabinetoffice.gov.uk")

    sign_in_at_provider(
        page, button="Sign in with GOV.UK One Login", login="existing.person@cabinetoffice.gov.uk"
    )

    assert signed_in_user_id(page) == str(existing.pk)
    assert User.objects.filter(email__iexact=existing.email).count() == 1
    assert SocialAccount.objects.get(provider=KEYED_PROVIDER).user == existing
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD)  # a verified address: the password is kept


def test_entra_id_with_a_client_secret_signs_in(
    page: Any, configure_sso: Any, openid_provider: Any
) -> None:
    sign_in_at_provider(
        page, button="Sign in with Microsoft Entra ID", login="entra.user@hmrc.gov.uk"
    )

    user = User.objects.get(email="entra.user@hmrc.gov.uk")
    assert signed_in_user_id(page) == str(user.pk)
    assert openid_provider.events("token")[-1]["auth_method"] == "client_secret_post"


def test_unverified_email_is_refused(page: Any, configure_sso: Any, axe: Any) -> None:
    sign_in_at_provider(
        page, button="Sign in with GOV.UK One Login", login="unverified.person@cabinetoffice.gov.uk"
    )

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You cannot sign in with GOV.UK One Login"
    )
    expect(page.get_by_text("has not confirmed that")).to_be_visible()
    axe(page)
    assert signed_in_user_id(page) is None
    assert not User.objects.filter(email="unverified.person@cabinetoffice.gov.uk").exists()
    assert not SocialAccount.objects.exists()


def test_address_on_a_domain_not_allowed_is_refused(page: Any, configure_sso: Any) -> None:
    sign_in_at_provider(page, button="Sign in with GOV.UK One Login", login="someone@example.com")

    expect(page.get_by_text("does not accept GOV.UK One Login sign-ins for")).to_be_visible()
    assert signed_in_user_id(page) is None
    assert not User.objects.filter(email="someone@example.com").exists()


def test_existing_account_on_a_domain_not_allowed_is_not_linked(
    page: Any, configure_sso: Any
) -> None:
    # The provider is trusted for one department only: it cannot vouch for other addresses,
    # even of people who have an account.
    configure_sso(ALLOWED_DOMAINS="cabinetoffice.gov.uk")
    UserFactory(email="someone.else@hmrc.gov.uk")

    sign_in_at_provider(
        page, button="Sign in with GOV.UK One Login", login="someone.else@hmrc.gov.uk"
    )

    expect(page.get_by_text("does not accept GOV.UK One Login sign-ins for")).to_be_visible()
    assert signed_in_user_id(page) is None
    assert not SocialAccount.objects.exists()


def test_client_assertion_signed_with_the_wrong_key_is_rejected(
    page: Any, configure_sso: Any, openid_provider: Any
) -> None:
    configure_sso(client_key=new_rsa_key())

    sign_in_at_provider(
        page, button="Sign in with GOV.UK One Login", login="new.learner@cabinetoffice.gov.uk"
    )

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sorry, there is a problem signing you in"
    )
    assert openid_provider.events("token_error")[-1]["error"] == "invalid_client"
    assert signed_in_user_id(page) is None
    assert not User.objects.filter(email="new.learner@cabinetoffice.gov.uk").exists()


def test_new_person_on_a_provider_domain_needs_an_invitation(page: Any, configure_sso: Any) -> None:
    # The provider may vouch for example.com addresses, but sign-up is not open to them.
    configure_sso(ALLOWED_DOMAINS="example.com")

    sign_in_at_provider(page, button="Sign in with GOV.UK One Login", login="analyst@example.com")

    expect(page.get_by_text("There is no Data Masterclass account for")).to_be_visible()
    assert signed_in_user_id(page) is None
    assert not User.objects.filter(email="analyst@example.com").exists()


def test_invited_person_on_a_provider_domain_gets_an_account(page: Any, configure_sso: Any) -> None:
    configure_sso(ALLOWED_DOMAINS="example.com")
    invitation = InvitationFactory(email="analyst@example.com")

    sign_in_at_provider(page, button="Sign in with GOV.UK One Login", login="analyst@example.com")

    user = User.objects.get(email="analyst@example.com")
    assert signed_in_user_id(page) == str(user.pk)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_someone_with_a_second_factor_is_still_asked_for_it(page: Any, configure_sso: Any) -> None:
    """Signing in through the provider replaces the password, not our second factor."""
    from tests.accounts.factories import totp_code

    admin = UserFactory(email="admin.person@cabinetoffice.gov.uk", is_staff=True, mfa=True)
    sign_in_at_provider(
        page, button="Sign in with GOV.UK One Login", login="admin.person@cabinetoffice.gov.uk"
    )
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    assert signed_in_user_id(page) is None
    page.get_by_label("Code", exact=True).fill(totp_code(admin))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate" not in url)
    assert signed_in_user_id(page) == str(admin.pk)
    page.goto("/cohorts/")
    assert page.url.endswith("/cohorts/")
