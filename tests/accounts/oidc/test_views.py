"""Our side of the sign-in: the redirect to the provider, the pages around it, and the
sign-in page with and without providers."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.accounts.oidc.conftest import KEYED_CLIENT, KEYED_PROVIDER

LOGIN_URL = f"/accounts/oidc/{KEYED_PROVIDER}/login/"
CALLBACK_URL = f"/accounts/oidc/{KEYED_PROVIDER}/login/callback/"


def start_sign_in(client: Client, query: str = "") -> dict[str, list[str]]:
    response = client.post(f"{LOGIN_URL}{query}")
    assert response.status_code == 302
    return parse_qs(urlsplit(response["Location"]).query)


@pytest.fixture
def no_providers(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {**settings.SOCIALACCOUNT_PROVIDERS["openid_connect"], "APPS": []}
    }


@pytest.mark.django_db
def test_without_providers_the_sign_in_page_is_as_before(
    client: Client, no_providers: None
) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert "Sign in with GOV.UK" not in html
    assert "Sign in with your email address" not in html
    assert "/accounts/oidc/" not in html


@pytest.mark.django_db
def test_without_providers_their_addresses_are_not_found(
    client: Client, no_providers: None
) -> None:
    assert client.post(LOGIN_URL).status_code == 404


class TestWithProviders:
    pytestmark = pytest.mark.django_db(transaction=True)

    def test_sign_in_page_posts_to_each_provider(self, client: Client, configure_sso: Any) -> None:
        html = client.get("/accounts/login/").content.decode()
        assert f'action="{LOGIN_URL}?process=login"' in html
        assert "Sign in with GOV.UK One Login" in html
        assert "Sign in with Microsoft Entra ID" in html
        assert "csrfmiddlewaretoken" in html

    def test_csp_lets_the_forms_go_to_the_provider(
        self, client: Client, configure_sso: Any, openid_provider: Any
    ) -> None:
        policy = client.get("/accounts/login/")["Content-Security-Policy"]
        assert f"form-action 'self' {openid_provider.issuer}" in policy

    def test_redirect_carries_nonce_vtr_and_pkce(
        self, client: Client, configure_sso: Any, openid_provider: Any
    ) -> None:
        response = client.post(LOGIN_URL)
        assert response["Location"].startswith(f"{openid_provider.issuer}/auth?")
        params = parse_qs(urlsplit(response["Location"]).query)
        assert params["client_id"] == [KEYED_CLIENT]
        assert params["vtr"] == ['["Cl.Cm"]']
        assert len(params["nonce"][0]) >= 32
        assert params["code_challenge_method"] == ["S256"]
        assert set(params["scope"][0].split()) == {"openid", "email"}
        assert params["redirect_uri"] == [f"http://testserver{CALLBACK_URL}"]

    def test_every_sign_in_gets_its_own_nonce(self, client: Client, configure_sso: Any) -> None:
        assert start_sign_in(client)["nonce"] != start_sign_in(client)["nonce"]

    def test_a_link_cannot_change_what_we_ask_the_provider_for(
        self, client: Client, configure_sso: Any
    ) -> None:
        params = start_sign_in(client, "?auth_params=vtr%3D%5B%22Cl%22%5D%26nonce%3Dx&scope=phone")
        assert params["vtr"] == ['["Cl.Cm"]']
        assert params["nonce"] != ["x"]
        assert set(params["scope"][0].split()) == {"openid", "email"}

    def test_following_a_link_asks_before_leaving(self, client: Client, configure_sso: Any) -> None:
        response = client.get(LOGIN_URL)
        assert response.status_code == 200
        html = response.content.decode()
        assert '<h1 class="govuk-heading-l">Sign in with GOV.UK One Login</h1>' in html
        assert "csrfmiddlewaretoken" in html

    def test_callback_without_a_sign_in_in_progress_is_an_error_page(
        self, client: Client, configure_sso: Any
    ) -> None:
        response = client.get(CALLBACK_URL, {"code": "stolen-code", "state": "not-ours"})
        assert "Sorry, there is a problem signing you in" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_cancelling_at_the_provider(self, client: Client, configure_sso: Any) -> None:
        state = start_sign_in(client)["state"][0]
        response = client.get(CALLBACK_URL, {"error": "access_denied", "state": state}, follow=True)
        assert "You did not sign in" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_unknown_provider_is_not_found(self, client: Client, configure_sso: Any) -> None:
        assert client.post("/accounts/oidc/nobody/login/").status_code == 404

    def test_connections_page_lists_providers(
        self, client: Client, configure_sso: Any, learner: Any
    ) -> None:
        client.force_login(learner)
        response = client.get("/accounts/3rdparty/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "You have not connected a single sign-on provider" in html
        assert "Connect GOV.UK One Login" in html
