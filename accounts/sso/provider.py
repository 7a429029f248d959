"""allauth's OpenID Connect provider, extended for government identity providers.

allauth (65.21) sends a client secret and neither sends nor checks a ``nonce``. GOV.UK One
Login authenticates clients with a signed JWT (``private_key_jwt``, RFC 7523), expects a
``nonce`` and a vector of trust (``vtr``) on the authorisation request, and says in the ID
token's ``vot`` claim which level it reached. This module adds those, and checks every ID
token's signature (allauth skips it when the token came straight from the token endpoint).

Registered through ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]``; its
``urls`` module replaces allauth's, so that the callback uses the adapter below.
"""

from __future__ import annotations

import hmac
import secrets
import time
from typing import Any

import jwt
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp, SocialLogin, SocialToken
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# One Login accepts assertions that live at most five minutes.
CLIENT_ASSERTION_LIFETIME = 300
ID_TOKEN_ALGORITHMS = frozenset({"RS256", "PS256", "ES256"})
CLOCK_LEEWAY = 60


class ClientAssertionSigner:
    """Signs the JWT with which the client authenticates at the token endpoint."""

    def __init__(self, *, client_id: str, private_key: str, algorithm: str, key_id: str) -> None:
        self.client_id = client_id
        self.private_key = private_key
        self.algorithm = algorithm
        self.key_id = key_id

    def sign(self, *, audience: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": audience,
            "jti": secrets.token_urlsafe(32),
            "iat": now,
            "exp": now + CLIENT_ASSERTION_LIFETIME,
        }
        return jwt.encode(
            claims, self.private_key, algorithm=self.algorithm, headers={"kid": self.key_id}
        )


class OIDCClient(OAuth2Client):
    signer: ClientAssertionSigner | None = None

    def get_access_token(
        self,
        code: str,
        pkce_code_verifier: str | None = None,
        extra_data: dict[str, str] | None = None,
    ) -> Any:
        if self.signer is not None:
            # The signed assertion replaces the secret (empty, so allauth leaves it out).
            extra_data = {
                **(extra_data or {}),
                "client_assertion_type": CLIENT_ASSERTION_TYPE,
                "client_assertion": self.signer.sign(audience=self.access_token_url),
            }
        return super().get_access_token(
            code, pkce_code_verifier=pkce_code_verifier, extra_data=extra_data
        )


def verify_id_token(
    *,
    id_token: str,
    jwks: dict[str, Any],
    issuer: str,
    client_id: str,
    nonce: str | None,
    vtr: list[str] | None = None,
) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, times, nonce and (when a
    vector of trust was asked for) ``vot`` are checked. Raises OAuth2Error otherwise."""
    try:
        header = jwt.get_unverified_header(id_token)
        algorithm = header.get("alg")
        if algorithm not in ID_TOKEN_ALGORITHMS:
            raise OAuth2Error(f"ID token signed with an algorithm we do not accept: {algorithm}")
        keys = [
            key
            for key in jwt.PyJWKSet.from_dict(jwks).keys
            if header.get("kid") is None or key.key_id == header.get("kid")
        ]
        if len(keys) != 1:
            raise OAuth2Error("No single key in the provider's JWKS matches the ID token.")
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key=keys[0].key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=CLOCK_LEEWAY,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.PyJWTError as error:
        raise OAuth2Error(f"Invalid ID token: {error}") from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OAuth2Error("ID token is for several audiences, and its azp is not us.")
    # The nonce ties the token to this browser's sign-in: without it a token stolen from
    # another sign-in could be replayed here.
    if not nonce or not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OAuth2Error("ID token nonce does not match the sign-in that asked for it.")
    if vtr and claims.get("vot") not in vtr:
        raise OAuth2Error(
            f"ID token vector of trust {claims.get('vot')!r} is not one we asked for."
        )
    return claims


class OIDCAdapter(OpenIDConnectOAuth2Adapter):
    client_class = OIDCClient
    # Set by the callback view from the state stashed when the sign-in began.
    expected_nonce: str | None = None

    def get_client(self, request: HttpRequest, app: SocialApp) -> OIDCClient:
        client: OIDCClient = super().get_client(request, app)
        if app.settings.get("token_auth_method") == "private_key_jwt":
            client.signer = ClientAssertionSigner(
                client_id=app.client_id,
                private_key=app.settings["private_key"],
                algorithm=app.settings["signing_algorithm"],
                key_id=app.settings["key_id"],
            )
        return client

    def complete_login(
        self, request: HttpRequest, app: SocialApp, token: SocialToken, **kwargs: Any
    ) -> SocialLogin:
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise OAuth2Error("The provider's token response has no ID token.")
        data = {"id_token": self._decode_id_token(app, id_token)}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            # OpenID Connect Core 5.3.2: UserInfo must be about the person in the ID token.
            if userinfo.get("sub") != data["id_token"]["sub"]:
                raise OAuth2Error("UserInfo response is about someone other than the ID token.")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)

    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        config = self.openid_config
        if config["issuer"].rstrip("/") != app.settings["server_url"].rstrip("/"):
            raise OAuth2Error(
                f"The provider's discovery document names issuer {config['issuer']!r}, "
                f"not the configured {app.settings['server_url']!r}."
            )
        with get_adapter().get_requests_session() as session:
            response = session.get(config["jwks_uri"])
            response.raise_for_status()
            jwks = response.json()
        return verify_id_token(
            id_token=id_token,
            jwks=jwks,
            issuer=config["issuer"],
            client_id=app.client_id,
            nonce=self.expected_nonce,
            vtr=app.settings.get("vtr"),
        )


class OIDCCallbackView(OAuth2CallbackView):
    adapter: OIDCAdapter

    def _get_state(self, request: HttpRequest, provider: Any) -> tuple[Any, HttpResponse | None]:
        state, response = super()._get_state(request, provider)
        if state is not None:
            self.adapter.expected_nonce = state.get("nonce")
        return state, response


def _claims(data: dict[str, Any]) -> dict[str, Any]:
    # One Login puts the email address in UserInfo only; Entra ID puts its verification claim
    # (xms_edov) in the ID token only. Their subjects were checked to be the same.
    return {**data.get("id_token", {}), **data.get("userinfo", {})}


class OIDCProvider(OpenIDConnectProvider):
    oauth2_adapter_class = OIDCAdapter
    # Sign-in from a token posted by an app (allauth.headless) would skip the nonce.
    supports_token_authentication = False

    def get_auth_params_from_request(self, request: HttpRequest, action: Any) -> dict[str, Any]:
        # Only what is configured: a crafted link must not lower the vector of trust.
        return self.get_auth_params()

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        return self.get_scope()

    def redirect(
        self,
        request: HttpRequest,
        process: Any,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        nonce = secrets.token_urlsafe(32)
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        # The nonce goes into the state stashed in the session, for the callback to check.
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        claims = _claims(data)
        return {
            "email": claims.get("email"),
            "first_name": claims.get("given_name"),
            "last_name": claims.get("family_name"),
        }

    def cleanup_email_addresses(
        self, email: str | None, addresses: list[Any], email_verified: bool = False
    ) -> str | None:
        # allauth checks addresses with the account adapter's clean_email, which applies the
        # sign-up policy and so would drop the address of someone who already has an account.
        # Here an address need only be well formed: the social account adapter decides who
        # may sign in, and can then say why not.
        valid = []
        for address in addresses:
            try:
                validate_email(address.email)
            except ValidationError:
                continue
            address.email = address.email.lower()
            valid.append(address)
        addresses[:] = valid
        return valid[0].email if valid else None

    def extract_email_addresses(self, data: dict[str, Any]) -> list[Any]:
        from allauth.account.models import EmailAddress

        claims = _claims(data)
        email = claims.get("email")
        if not email:
            return []
        verified_claim = self.app.settings.get("email_verified_claim", "email_verified")
        # Strictly true: some providers send strings, and "false" is a truthy string.
        verified = claims.get(verified_claim) in (True, "true")
        return [EmailAddress(email=email, verified=verified, primary=True)]
