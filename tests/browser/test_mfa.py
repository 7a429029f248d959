"""Two-factor authentication end to end in Chromium: an admin is sent to set it up, does so
with an authenticator app (the code computed as the app would), and signs in with a code; a
security key is added and used through Chromium's virtual authenticator. Each page is
checked with axe-core."""

from __future__ import annotations

import time
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret: str, *, after: str | None = None) -> str:
    """The app's code now; a different one from ``after`` (a code is accepted once)."""
    while True:
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        if code != after:
            return code
        time.sleep(1)


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    if "/accounts/logout" in page.url:  # allauth asks to confirm without JavaScript's help
        page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/accounts/logout" not in url)


def enter_password(page: Any, email: str, password: str, path: str = "/accounts/login/") -> None:
    page.goto(path)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def confirm_password(page: Any, password: str, axe: Any = None) -> None:
    """allauth asks for the password again before a second factor is changed."""
    page.wait_for_url("**/accounts/reauthenticate/**")
    if axe:
        axe(page)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(lambda url: "/reauthenticate" not in url)


def test_an_admin_sets_up_an_authenticator_app_and_signs_in_with_it(
    page: Any, axe: Any, password: str
) -> None:
    admin = UserFactory(email="new.admin@example.gov.uk", is_staff=True, is_superuser=True)
    enter_password(page, admin.email, password, path="/accounts/login/?next=/cohorts/")

    # Sent to set up two-factor authentication first, told why.
    page.wait_for_url("**/accounts/2fa/**")
    assert "needs two-factor authentication" in page.content()
    axe(page)
    page.goto("/accounts/2fa/totp/activate/")
    confirm_password(page, password, axe)
    axe(page)
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill("123456")
    page.get_by_role("button", name="Activate").click()
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page)
    first = code_for(secret)
    page.get_by_label("Authenticator code").fill(first)
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(lambda url: "/totp/activate" not in url)
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).exists()

    # Recovery codes, for a lost phone.
    page.goto("/accounts/2fa/recovery-codes/")
    axe(page)
    assert page.locator("li, td, pre").filter(has_text="-").count() or "codes" in page.content()

    page.goto("/cohorts/")
    assert page.url.endswith("/cohorts/")
    axe(page)

    sign_out(page)
    enter_password(page, admin.email, password)
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    axe(page)
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".govuk-error-summary, .govuk-error-message").first.is_visible()
    page.get_by_label("Code", exact=True).fill(code_for(secret, after=first))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate" not in url)
    page.goto("/cohorts/")
    assert page.url.endswith("/cohorts/")


def test_a_security_key_is_added_and_signs_in(
    page: Any, axe: Any, sign_in: Any, site_admin: Any, password: str
) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    sign_in(site_admin)
    page.goto("/accounts/2fa/webauthn/add/")
    confirm_password(page, password)
    axe(page)
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add", exact=True).click()
    page.wait_for_url(lambda url: "/webauthn/add" not in url)
    key = Authenticator.objects.get(user=site_admin, type=Authenticator.Type.WEBAUTHN)
    page.goto("/accounts/2fa/webauthn/")
    assert "Desk key" in page.content()
    axe(page)

    sign_out(page)
    enter_password(page, site_admin.email, password)
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(lambda url: "/accounts/2fa/authenticate" not in url)
    page.goto("/cohorts/")
    assert page.url.endswith("/cohorts/")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_account_and_two_factor_pages_are_accessible(
    page: Any, axe: Any, sign_in: Any, site_admin: Any
) -> None:
    sign_in(site_admin)
    for url in (
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/webauthn/",
        "/accounts/reauthenticate/",
    ):
        page.goto(url)
        assert page.url.endswith(url) or "/reauthenticate" in page.url, url
        axe(page)
