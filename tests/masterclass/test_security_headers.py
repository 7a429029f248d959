import re

import pytest

pytestmark = pytest.mark.django_db


def csp_directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/", "/no-such-page"])
def test_every_page_has_a_strict_content_security_policy(client, url: str) -> None:
    response = client.get(url)
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    directives = csp_directives(response)
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["default-src"] == ["'self'"]


def test_the_one_inline_script_carries_the_nonce_from_the_header(client) -> None:
    response = client.get("/")
    nonce = re.search(r"'nonce-([^']+)'", csp_directives(response)["script-src"][1]).group(1)
    html = response.content.decode()
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline_scripts == [f' nonce="{nonce}"']
    assert client.get("/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_no_inline_styles_or_event_handlers(client) -> None:
    html = client.get("/accounts/login/").content.decode()
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_referrer_permissions_and_framing_headers(client) -> None:
    response = client.get("/")
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy
    assert "geolocation=()" in policy
    assert "publickey-credentials-get=(self)" in policy
