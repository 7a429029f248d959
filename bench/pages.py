"""Asking the server under test for a page as a signed-in person, from the bench scripts."""

from __future__ import annotations

import http.client


def status_of(port: int, url: str, cookie: str) -> int:
    """The HTTP status the server on this loopback port answers for ``url`` with this cookie
    (redirects are not followed: a redirect to sign-in is not the page)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
