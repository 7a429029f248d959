"""Sign-in journeys in Debian's Chromium, with axe-core on each page."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_is_accessible_and_offers_sign_in(page, axe) -> None:
    page.goto("/")
    assert page.title() == "Home – Data Masterclass"
    assert page.locator("body.js-enabled.govuk-frontend-supported").count() == 1
    axe(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/login/")
    axe(page)


def test_sign_up_and_error_pages_are_accessible(page, axe) -> None:
    page.goto("/accounts/signup/")
    axe(page)
    page.get_by_label("Email").fill("someone@gmail.com")
    page.get_by_label("Password", exact=True).fill("a-long-and-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    assert "You cannot create an account" in summary.inner_text()
    # GOV.UK Frontend moves focus to the error summary.
    assert page.evaluate("document.activeElement.closest('.govuk-error-summary') !== null")
    axe(page)
    page.goto("/no-such-page")
    axe(page)


def test_sign_in_by_emailed_code(page, learner) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Email me a sign-in code").click()
    page.wait_for_url("**/accounts/login/code/")
    page.get_by_label("Email").fill(learner.email)
    page.get_by_role("button", name=re.compile("code", re.I)).click()
    page.wait_for_url("**/accounts/login/code/confirm/")
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert "Welcome back" in page.content()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: "/accounts/logout/" not in url)
    assert page.get_by_role("link", name="Sign in").count() >= 1


def test_keyboard_only_sign_in(page, learner, password) -> None:
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    # Tab from the start of main to the email field, then fill the form by keyboard alone.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_login":
            break
    assert page.evaluate("document.activeElement.id") == "id_login"
    page.keyboard.type(learner.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url.endswith("/"))
    assert "Welcome back" in page.content()


def test_focus_is_visible(page) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email address").focus()
    outline = page.evaluate(
        "getComputedStyle(document.activeElement).outlineStyle + ' ' "
        "+ getComputedStyle(document.activeElement).boxShadow"
    )
    assert outline != "none none"


def test_signing_in_while_redis_is_down_is_a_calm_accessible_page(
    page, axe, learner, password, settings
) -> None:
    from masterclass.processes import free_port
    from tests.masterclass.test_cache_outage import _production_cache

    page.goto("/accounts/login/")
    settings.CACHES = _production_cache(f"redis://127.0.0.1:{free_port()}/0")
    page.get_by_label("Email").fill(learner.email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "This part of the service is unavailable for a moment"
    axe(page)
