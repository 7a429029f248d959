"""Single sign-on settings from the environment: what they build, and the messages when wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.core.exceptions import ImproperlyConfigured

from accounts.sso.config import form_action_origins, oidc_apps
from tests.accounts.oidc.conftest import new_rsa_key, private_pem


def pem_of(key: object) -> str:
    return key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="module")
def rsa_pem() -> str:
    return private_pem(new_rsa_key())


@pytest.fixture
def one_login(rsa_pem: str) -> dict[str, str]:
    return {
        "OIDC_PROVIDERS": "onelogin",
        "OIDC_ONELOGIN_NAME": "GOV.UK One Login",
        "OIDC_ONELOGIN_ISSUER": "https://oidc.integration.account.gov.uk/",
        "OIDC_ONELOGIN_CLIENT_ID": "a-client-id",
        "OIDC_ONELOGIN_PRIVATE_KEY": rsa_pem,
        "OIDC_ONELOGIN_KEY_ID": "key-1",
        "OIDC_ONELOGIN_VTR": '["Cl.Cm"]',
    }


ENTRA = {
    "OIDC_PROVIDERS": "entra",
    "OIDC_ENTRA_NAME": "Microsoft Entra ID",
    "OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/0000-tenant/v2.0",
    "OIDC_ENTRA_CLIENT_ID": "entra-client",
    "OIDC_ENTRA_SECRET": "entra-secret",
}


@pytest.mark.parametrize("environ", [{}, {"OIDC_PROVIDERS": ""}, {"OIDC_PROVIDERS": " , "}])
def test_no_providers_means_no_single_sign_on(environ: dict[str, str]) -> None:
    assert oidc_apps(environ) == []


def test_one_login_with_a_private_key(one_login: dict[str, str], rsa_pem: str) -> None:
    [app] = oidc_apps(one_login)

    assert app["provider_id"] == "onelogin"
    assert app["name"] == "GOV.UK One Login"
    assert app["client_id"] == "a-client-id"
    assert app["secret"] == ""
    assert app["settings"] == {
        "server_url": "https://oidc.integration.account.gov.uk",
        "scope": ["openid", "email"],
        "oauth_pkce_enabled": True,
        "allowed_domains": [],
        "email_verified_claim": "email_verified",
        "vtr": ["Cl.Cm"],
        "auth_params": {"vtr": '["Cl.Cm"]'},
        "token_auth_method": "private_key_jwt",
        "private_key": rsa_pem,
        "signing_algorithm": "RS256",
        "key_id": "key-1",
    }


def test_an_ec_p256_key_signs_with_es256(one_login: dict[str, str]) -> None:
    one_login["OIDC_ONELOGIN_PRIVATE_KEY"] = pem_of(ec.generate_private_key(ec.SECP256R1()))
    [app] = oidc_apps(one_login)
    assert app["settings"]["signing_algorithm"] == "ES256"


def test_private_key_from_a_file(one_login: dict[str, str], rsa_pem: str, tmp_path: Path) -> None:
    (tmp_path / "key.pem").write_text(rsa_pem)
    del one_login["OIDC_ONELOGIN_PRIVATE_KEY"]
    one_login["OIDC_ONELOGIN_PRIVATE_KEY_FILE"] = str(tmp_path / "key.pem")
    [app] = oidc_apps(one_login)
    assert app["settings"]["private_key"] == rsa_pem


def test_private_key_on_one_line_with_escaped_newlines(
    one_login: dict[str, str], rsa_pem: str
) -> None:
    one_login["OIDC_ONELOGIN_PRIVATE_KEY"] = rsa_pem.strip().replace("\n", "\\n")
    [app] = oidc_apps(one_login)
    assert app["settings"]["private_key"] == rsa_pem


def test_entra_with_a_secret_scopes_and_domains() -> None:
    [app] = oidc_apps(
        {
            **ENTRA,
            "OIDC_ENTRA_SCOPES": "openid, email profile",
            "OIDC_ENTRA_ALLOWED_DOMAINS": "Cabinetoffice.gov.uk, *.cabinetoffice.gov.uk",
            "OIDC_ENTRA_EMAIL_VERIFIED_CLAIM": "xms_edov",
        }
    )
    assert app["secret"] == "entra-secret"
    assert "token_auth_method" not in app["settings"]
    assert "auth_params" not in app["settings"]
    assert app["settings"]["scope"] == ["openid", "email", "profile"]
    assert app["settings"]["allowed_domains"] == ["cabinetoffice.gov.uk", "*.cabinetoffice.gov.uk"]
    assert app["settings"]["email_verified_claim"] == "xms_edov"


def test_several_providers_in_order(one_login: dict[str, str]) -> None:
    environ = {**one_login, **ENTRA, "OIDC_PROVIDERS": "entra, onelogin"}
    apps = oidc_apps(environ)
    assert [app["provider_id"] for app in apps] == ["entra", "onelogin"]
    assert form_action_origins(apps) == [
        "https://login.microsoftonline.com",
        "https://oidc.integration.account.gov.uk",
    ]


def test_a_local_issuer_may_use_http() -> None:
    [app] = oidc_apps({**ENTRA, "OIDC_ENTRA_ISSUER": "http://127.0.0.1:9000"})
    assert app["settings"]["server_url"] == "http://127.0.0.1:9000"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"OIDC_PROVIDERS": "One Login"}, "'One Login' is not a valid provider id"),
        ({"OIDC_PROVIDERS": "onelogin,onelogin"}, "names a provider more than once"),
        ({"OIDC_ONELOGIN_NAME": ""}, "OIDC_ONELOGIN_NAME is required"),
        ({"OIDC_ONELOGIN_ISSUER": " "}, "OIDC_ONELOGIN_ISSUER is required"),
        ({"OIDC_ONELOGIN_CLIENT_ID": ""}, "OIDC_ONELOGIN_CLIENT_ID is required"),
        ({"OIDC_ONELOGIN_ISSUER": "http://oidc.account.gov.uk"}, "must be the provider's https://"),
        ({"OIDC_ONELOGIN_ISSUER": "oidc.account.gov.uk"}, "must be the provider's https://"),
        ({"OIDC_ONELOGIN_SECRET": "s"}, "either OIDC_ONELOGIN_SECRET or OIDC_ONELOGIN_PRIVATE_KEY"),
        ({"OIDC_ONELOGIN_PRIVATE_KEY": ""}, "needs a client credential"),
        ({"OIDC_ONELOGIN_KEY_ID": ""}, "OIDC_ONELOGIN_KEY_ID is required"),
        ({"OIDC_ONELOGIN_PRIVATE_KEY": "not a key"}, "is not an unencrypted PEM private key"),
        (
            {"OIDC_ONELOGIN_PRIVATE_KEY_FILE": "/no/such/key.pem"},
            "either OIDC_ONELOGIN_PRIVATE_KEY or OIDC_ONELOGIN_PRIVATE_KEY_FILE",
        ),
        ({"OIDC_ONELOGIN_VTR": "Cl.Cm"}, "must be a JSON list of vectors of trust"),
        ({"OIDC_ONELOGIN_VTR": "[]"}, "must be a JSON list of vectors of trust"),
        ({"OIDC_ONELOGIN_VTR": '{"vtr": "Cl.Cm"}'}, "must be a JSON list of vectors of trust"),
        ({"OIDC_ONELOGIN_SCOPES": "openid profile"}, "must include openid and email"),
        ({"OIDC_ONELOGIN_CLIENTID": "x"}, "Unknown single sign-on setting OIDC_ONELOGIN_CLIENTID"),
    ],
)
def test_bad_configuration_says_what_is_wrong(
    one_login: dict[str, str], change: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        oidc_apps({**one_login, **change})


def test_key_id_with_a_secret_is_a_mistake() -> None:
    with pytest.raises(ImproperlyConfigured, match="KEY_ID is only used with"):
        oidc_apps({**ENTRA, "OIDC_ENTRA_KEY_ID": "key-1"})


def test_unreadable_key_file(one_login: dict[str, str]) -> None:
    del one_login["OIDC_ONELOGIN_PRIVATE_KEY"]
    one_login["OIDC_ONELOGIN_PRIVATE_KEY_FILE"] = "/no/such/key.pem"
    with pytest.raises(ImproperlyConfigured, match="cannot read /no/such/key.pem"):
        oidc_apps(one_login)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (
            rsa.generate_private_key(public_exponent=65537, key_size=1024),  # noqa: S505
            "2048 bits or more",
        ),
        (ed25519.Ed25519PrivateKey.generate(), "an RSA key \\(RS256\\) or an EC P-256 key"),
        (ec.generate_private_key(ec.SECP384R1()), "an RSA key \\(RS256\\) or an EC P-256 key"),
    ],
)
def test_unsuitable_private_keys(one_login: dict[str, str], key: object, message: str) -> None:
    one_login["OIDC_ONELOGIN_PRIVATE_KEY"] = pem_of(key)
    with pytest.raises(ImproperlyConfigured, match=message):
        oidc_apps(one_login)
