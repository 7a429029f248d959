"""The ID token checks (signature, audience, nonce, vector of trust) and the signed client
assertion, with real keys."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from cryptography.hazmat.primitives.asymmetric import ec

from accounts.sso.provider import ClientAssertionSigner, verify_id_token
from tests.accounts.oidc.conftest import new_rsa_key, private_pem

ISSUER = "https://oidc.example.gov.uk"
CLIENT_ID = "masterclass"
NONCE = "the-nonce-this-browser-sent"


@pytest.fixture(scope="module")
def provider_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def jwks(provider_key: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(provider_key.public_key()))
    return {"keys": [{**jwk, "kid": "provider-key", "use": "sig"}]}


def id_token(key: Any, algorithm: str = "ES256", kid: str = "provider-key", **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "sub": "urn:fdc:gov.uk:2022:someone",
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 180,
        "nonce": NONCE,
        "vot": "Cl.Cm",
        **claims,
    }
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


def verify(token: str, jwks: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    arguments = {
        "id_token": token,
        "jwks": jwks,
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "nonce": NONCE,
        "vtr": ["Cl.Cm"],
        **overrides,
    }
    return verify_id_token(**arguments)


def test_accepts_a_good_token(provider_key: Any, jwks: dict[str, Any]) -> None:
    claims = verify(id_token(provider_key), jwks)
    assert claims["sub"] == "urn:fdc:gov.uk:2022:someone"


def test_refuses_a_tampered_nonce(provider_key: Any, jwks: dict[str, Any]) -> None:
    with pytest.raises(OAuth2Error, match="nonce does not match"):
        verify(id_token(provider_key, nonce="a-nonce-from-another-sign-in"), jwks)


def test_refuses_a_token_without_a_nonce(provider_key: Any, jwks: dict[str, Any]) -> None:
    with pytest.raises(OAuth2Error, match="nonce does not match"):
        verify(id_token(provider_key, nonce=None), jwks)


def test_refuses_when_the_sign_in_had_no_nonce(provider_key: Any, jwks: dict[str, Any]) -> None:
    with pytest.raises(OAuth2Error, match="nonce does not match"):
        verify(id_token(provider_key), jwks, nonce=None)


def test_refuses_a_nonce_edited_after_signing(provider_key: Any, jwks: dict[str, Any]) -> None:
    header, payload, signature = id_token(provider_key, nonce="original").split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    forged = jwt.utils.base64url_encode(json.dumps({**claims, "nonce": NONCE}).encode()).decode()
    with pytest.raises(OAuth2Error, match="Invalid ID token"):
        verify(f"{header}.{forged}.{signature}", jwks)


def test_refuses_a_token_signed_by_another_key(jwks: dict[str, Any]) -> None:
    with pytest.raises(OAuth2Error, match="Invalid ID token"):
        verify(id_token(ec.generate_private_key(ec.SECP256R1())), jwks)


def test_refuses_an_unknown_key_id(provider_key: Any, jwks: dict[str, Any]) -> None:
    with pytest.raises(OAuth2Error, match="No single key"):
        verify(id_token(provider_key, kid="someone-elses"), jwks)


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"aud": "another-client"}, "Invalid ID token"),
        ({"iss": "https://elsewhere.example.com"}, "Invalid ID token"),
        ({"exp": int(time.time()) - 3600}, "Invalid ID token"),
        ({"aud": [CLIENT_ID, "another-client"]}, "several audiences"),
        ({"vot": "Cl"}, "vector of trust 'Cl'"),
        ({"vot": None}, "vector of trust None"),
    ],
)
def test_refuses_wrong_claims(
    provider_key: Any, jwks: dict[str, Any], claims: dict[str, Any], message: str
) -> None:
    with pytest.raises(OAuth2Error, match=message):
        verify(id_token(provider_key, **claims), jwks)


def test_without_a_vector_of_trust_vot_is_not_needed(
    provider_key: Any, jwks: dict[str, Any]
) -> None:
    assert verify(id_token(provider_key, vot=None), jwks, vtr=None)["sub"]


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_refuses_symmetric_or_unsigned_tokens(jwks: dict[str, Any], algorithm: str) -> None:
    token = jwt.encode(
        {"iss": ISSUER, "sub": "x", "aud": CLIENT_ID, "nonce": NONCE},
        "a-shared-secret-of-enough-length-for-hmac" if algorithm == "HS256" else None,
        algorithm=algorithm,
    )
    with pytest.raises(OAuth2Error, match="algorithm we do not accept"):
        verify(token, jwks)


def test_client_assertion_is_signed_for_the_token_endpoint() -> None:
    key = new_rsa_key()
    signer = ClientAssertionSigner(
        client_id=CLIENT_ID, private_key=private_pem(key), algorithm="RS256", key_id="key-1"
    )
    first = signer.sign(audience=f"{ISSUER}/token")
    second = signer.sign(audience=f"{ISSUER}/token")

    assert jwt.get_unverified_header(first)["kid"] == "key-1"
    claims = jwt.decode(first, key.public_key(), algorithms=["RS256"], audience=f"{ISSUER}/token")
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["exp"] - claims["iat"] == 300
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]
