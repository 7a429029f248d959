"""A real OpenID provider (npm oidc-provider, in node) and the settings that point us at it."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from accounts.sso.config import form_action_origins, oidc_apps
from masterclass import processes

PROVIDER_JS = Path(__file__).with_name("provider.mjs")
KEY_ID = "masterclass-test-key"
# Provider ids (in our URLs) and the clients registered for them at the test provider.
KEYED_PROVIDER = "govlogin"
KEYED_CLIENT = "masterclass-private-key-jwt"
SECRET_PROVIDER = "entra"
SECRET_CLIENT = "masterclass-client-secret"
CLIENT_SECRET = "a-client-secret-long-enough-for-the-test-provider"


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_jwk(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    import jwt

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": KEY_ID, "alg": "RS256", "use": "sig"}


@dataclass
class OpenIDProvider:
    issuer: str
    client_key: rsa.RSAPrivateKey

    def log(self) -> list[dict[str, Any]]:
        response = requests.get(f"{self.issuer}/_test/log", timeout=5)
        response.raise_for_status()
        return list(response.json())

    def events(self, event: str) -> list[dict[str, Any]]:
        return [entry for entry in self.log() if entry["event"] == event]


@pytest.fixture(scope="session")
def openid_provider(
    live_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OpenIDProvider]:
    """oidc-provider on a free loopback port, with one private_key_jwt client and one client
    with a secret, both redirecting to the live server."""
    node = shutil.which("node")
    if node is None or not (Path(settings.BASE_DIR) / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("Single sign-on tests need node and `npm install` (oidc-provider).")
    client_key = new_rsa_key()
    port = processes.free_port()

    def callback(provider_id: str) -> str:
        return f"{live_server.url}/accounts/oidc/{provider_id}/login/callback/"

    config = {
        "port": port,
        "clients": [
            {
                "client_id": KEYED_CLIENT,
                "redirect_uris": [callback(KEYED_PROVIDER)],
                "token_endpoint_auth_method": "private_key_jwt",
                "token_endpoint_auth_signing_alg": "RS256",
                "jwks": {"keys": [public_jwk(client_key)]},
            },
            {
                "client_id": SECRET_CLIENT,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [callback(SECRET_PROVIDER)],
                "token_endpoint_auth_method": "client_secret_post",
            },
        ],
    }
    folder = tmp_path_factory.mktemp("oidc-provider")
    config_path = folder / "config.json"
    config_path.write_text(json.dumps(config))
    log_path = folder / "provider.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own script, on loopback
            [node, str(PROVIDER_JS), str(config_path)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        _wait_for_discovery(issuer, process, log_path)
        yield OpenIDProvider(issuer=issuer, client_key=client_key)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The OpenID provider stopped: {log_path.read_text(errors='replace')}")
        try:
            response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1)
            if response.ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    pytest.fail(f"The OpenID provider did not start: {log_path.read_text(errors='replace')}")


@pytest.fixture
def configure_sso(settings: Any, openid_provider: OpenIDProvider) -> Callable[..., None]:
    """Point the site at the test provider, through the same builder as the environment.

    ``configure_sso(client_key=…)`` signs client assertions with another key; other keyword
    arguments are extra ``OIDC_GOVLOGIN_…`` settings (``ALLOWED_DOMAINS="example.com"``).
    """

    def _configure(client_key: rsa.RSAPrivateKey | None = None, **extra: str) -> None:
        environ = {
            "OIDC_PROVIDERS": f"{KEYED_PROVIDER},{SECRET_PROVIDER}",
            "OIDC_GOVLOGIN_NAME": "GOV.UK One Login",
            "OIDC_GOVLOGIN_ISSUER": openid_provider.issuer,
            "OIDC_GOVLOGIN_CLIENT_ID": KEYED_CLIENT,
            "OIDC_GOVLOGIN_PRIVATE_KEY": private_pem(client_key or openid_provider.client_key),
            "OIDC_GOVLOGIN_KEY_ID": KEY_ID,
            "OIDC_GOVLOGIN_VTR": '["Cl.Cm"]',
            **{f"OIDC_GOVLOGIN_{name}": value for name, value in extra.items()},
            "OIDC_ENTRA_NAME": "Microsoft Entra ID",
            "OIDC_ENTRA_ISSUER": openid_provider.issuer,
            "OIDC_ENTRA_CLIENT_ID": SECRET_CLIENT,
            "OIDC_ENTRA_SECRET": CLIENT_SECRET,
        }
        apps = oidc_apps(environ)
        settings.SOCIALACCOUNT_PROVIDERS = {
            **settings.SOCIALACCOUNT_PROVIDERS,
            "openid_connect": {
                **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
                "APPS": apps,
            },
        }
        policy = settings.CONTENT_SECURITY_POLICY
        settings.CONTENT_SECURITY_POLICY = {
            **policy,
            "DIRECTIVES": {
                **policy["DIRECTIVES"],
                "form-action": [*policy["DIRECTIVES"]["form-action"], *form_action_origins(apps)],
            },
        }

    _configure()
    return _configure
