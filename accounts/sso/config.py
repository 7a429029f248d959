"""Single sign-on providers, read from the environment.

``OIDC_PROVIDERS=onelogin,entra`` lists the providers; each is then configured with
``OIDC_<ID>_…`` variables (see docs/sso.md). Imported by settings, so this module must not
touch models or the app registry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.exceptions import ImproperlyConfigured

PROVIDER_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SETTINGS = frozenset(
    {
        "NAME",
        "ISSUER",
        "CLIENT_ID",
        "SECRET",
        "PRIVATE_KEY",
        "PRIVATE_KEY_FILE",
        "KEY_ID",
        "SCOPES",
        "VTR",
        "ALLOWED_DOMAINS",
        "EMAIL_VERIFIED_CLAIM",
    }
)
DEFAULT_SCOPES = ["openid", "email"]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def env_prefix(provider_id: str) -> str:
    return f"OIDC_{provider_id.upper().replace('-', '_')}_"


def oidc_apps(environ: Mapping[str, str]) -> list[dict[str, Any]]:
    """allauth's ``APPS`` list for the ``openid_connect`` provider, from ``environ``.

    No ``OIDC_PROVIDERS`` (or an empty one): no apps, and the site has no single sign-on.
    """
    listed = [part.strip() for part in environ.get("OIDC_PROVIDERS", "").split(",")]
    provider_ids = [part for part in listed if part]
    if len(set(provider_ids)) != len(provider_ids):
        raise ImproperlyConfigured("OIDC_PROVIDERS names a provider more than once.")
    return [_app(provider_id, environ) for provider_id in provider_ids]


def _app(provider_id: str, environ: Mapping[str, str]) -> dict[str, Any]:
    if not PROVIDER_ID.match(provider_id):
        raise ImproperlyConfigured(
            f"OIDC_PROVIDERS: {provider_id!r} is not a valid provider id: use lower-case "
            "letters, digits and hyphens, e.g. onelogin or entra (it appears in the "
            "redirect URI /accounts/oidc/<id>/login/callback/)."
        )
    prefix = env_prefix(provider_id)
    unknown = sorted(
        name
        for name in environ
        if name.startswith(prefix) and name.removeprefix(prefix) not in SETTINGS
    )
    if unknown:
        raise ImproperlyConfigured(
            f"Unknown single sign-on setting {', '.join(unknown)}: the settings for "
            f"{provider_id} are {', '.join(prefix + s for s in sorted(SETTINGS))}."
        )

    def value(name: str) -> str:
        return environ.get(prefix + name, "").strip()

    def required(name: str, example: str) -> str:
        found = value(name)
        if not found:
            raise ImproperlyConfigured(
                f"{prefix}{name} is required for single sign-on provider {provider_id}, "
                f"e.g. {example}"
            )
        return found

    name = required("NAME", "GOV.UK One Login")
    issuer = required("ISSUER", "https://oidc.account.gov.uk/").rstrip("/")
    _check_issuer(prefix, issuer)
    client_id = required("CLIENT_ID", "the client id the provider gave you")

    app_settings: dict[str, Any] = {
        "server_url": issuer,
        "scope": _scopes(prefix, value("SCOPES")),
        # PKCE as well as the client's credentials: both providers support it.
        "oauth_pkce_enabled": True,
        "allowed_domains": _domains(value("ALLOWED_DOMAINS")),
        "email_verified_claim": value("EMAIL_VERIFIED_CLAIM") or "email_verified",
    }
    vtr = _vtr(prefix, value("VTR"))
    if vtr:
        app_settings["vtr"] = vtr
        app_settings["auth_params"] = {"vtr": json.dumps(vtr, separators=(",", ":"))}

    secret = value("SECRET")
    private_key = _private_key(prefix, value("PRIVATE_KEY"), value("PRIVATE_KEY_FILE"))
    if secret and private_key:
        raise ImproperlyConfigured(
            f"Give single sign-on provider {provider_id} either {prefix}SECRET or "
            f"{prefix}PRIVATE_KEY, not both."
        )
    if not secret and not private_key:
        raise ImproperlyConfigured(
            f"Single sign-on provider {provider_id} needs a client credential: "
            f"{prefix}SECRET (a client secret) or {prefix}PRIVATE_KEY / "
            f"{prefix}PRIVATE_KEY_FILE (a PEM private key, for private_key_jwt)."
        )
    if private_key:
        pem, algorithm = private_key
        app_settings.update(
            token_auth_method="private_key_jwt",  # noqa: S106 - a method's name, not a secret
            private_key=pem,
            signing_algorithm=algorithm,
            key_id=required("KEY_ID", "the key id registered with the provider's public key"),
        )
    elif value("KEY_ID"):
        raise ImproperlyConfigured(
            f"{prefix}KEY_ID is only used with {prefix}PRIVATE_KEY; {provider_id} uses a "
            "client secret."
        )
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": client_id,
        "secret": secret,
        "settings": app_settings,
    }


def _check_issuer(prefix: str, issuer: str) -> None:
    parts = urlsplit(issuer)
    local = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS
    if not (parts.scheme == "https" or local) or not parts.hostname:
        raise ImproperlyConfigured(
            f"{prefix}ISSUER must be the provider's https:// issuer URL, not {issuer!r}."
        )


def _scopes(prefix: str, raw: str) -> list[str]:
    scopes = raw.replace(",", " ").split() or DEFAULT_SCOPES
    if "openid" not in scopes or "email" not in scopes:
        raise ImproperlyConfigured(
            f"{prefix}SCOPES must include openid and email (accounts are matched by email), "
            f"not {raw!r}."
        )
    return scopes


def _domains(raw: str) -> list[str]:
    return [part.strip().lower() for part in raw.split(",") if part.strip()]


def _vtr(prefix: str, raw: str) -> list[str]:
    if not raw:
        return []
    try:
        vtr = json.loads(raw)
    except json.JSONDecodeError:
        vtr = None
    if not isinstance(vtr, list) or not vtr or not all(isinstance(v, str) and v for v in vtr):
        raise ImproperlyConfigured(
            f'{prefix}VTR must be a JSON list of vectors of trust, e.g. ["Cl.Cm"], not {raw!r}.'
        )
    return vtr


def _private_key(prefix: str, pem: str, path: str) -> tuple[str, str] | None:
    if pem and path:
        raise ImproperlyConfigured(
            f"Give either {prefix}PRIVATE_KEY or {prefix}PRIVATE_KEY_FILE, not both."
        )
    if path:
        try:
            pem = Path(path).read_text()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{prefix}PRIVATE_KEY_FILE: cannot read {path}: {error.strerror}."
            ) from error
    if not pem:
        return None
    # Environment variables often carry a PEM on one line with literal "\n".
    pem = pem.replace("\\n", "\n").strip() + "\n"
    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            f"{prefix}PRIVATE_KEY is not an unencrypted PEM private key "
            "(-----BEGIN PRIVATE KEY----- …)."
        ) from error
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise ImproperlyConfigured(f"{prefix}PRIVATE_KEY: an RSA key needs 2048 bits or more.")
        return pem, "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return pem, "ES256"
    raise ImproperlyConfigured(
        f"{prefix}PRIVATE_KEY must be an RSA key (RS256) or an EC P-256 key (ES256)."
    )


def form_action_origins(apps: list[dict[str, Any]]) -> list[str]:
    """The providers' origins, for the CSP's form-action: the sign-in buttons post to us and
    we redirect to the provider, and browsers check form-action on that redirect too."""
    origins = []
    for app in apps:
        parts = urlsplit(app["settings"]["server_url"])
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in origins:
            origins.append(origin)
    return origins
