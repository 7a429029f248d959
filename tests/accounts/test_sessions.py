"""Sessions end after a spell without activity, and a fixed time after signing in."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import middleware

pytestmark = pytest.mark.django_db

PAGE = "/progress/"


class Clock:
    def __init__(self, monkeypatch: Any) -> None:
        self.now = middleware.time.time()
        monkeypatch.setattr(middleware.time, "time", lambda: self.now)

    def wait(self, seconds: float) -> None:
        self.now += seconds


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_page_soon_after_keeps_the_session(learner: Any, monkeypatch: Any, settings: Any) -> None:
    clock, client = Clock(monkeypatch), signed_in(learner)
    for _ in range(5):
        clock.wait(settings.SESSION_IDLE_SECONDS - 5)
        assert client.get(PAGE).status_code == 200


def test_after_the_idle_time_the_next_page_asks_to_sign_in(
    learner: Any, monkeypatch: Any, settings: Any
) -> None:
    clock, client = Clock(monkeypatch), signed_in(learner)
    assert client.get(PAGE).status_code == 200
    clock.wait(settings.SESSION_IDLE_SECONDS + 1)
    response = client.get(PAGE, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/progress/")
    assert "You were signed out after 60 minutes without activity" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_a_session_ends_at_the_latest_a_fixed_time_after_signing_in(
    learner: Any, monkeypatch: Any, settings: Any
) -> None:
    clock, client = Clock(monkeypatch), signed_in(learner)
    waited = 0
    while waited <= settings.SESSION_COOKIE_AGE - 1800:
        clock.wait(1800)
        waited += 1800
        assert client.get(PAGE).status_code == 200
    clock.wait(1800)
    response = client.get(PAGE, follow=True)
    assert "You were signed out 12 hours after signing in" in response.content.decode()


def test_activity_is_written_at_most_once_a_minute(learner: Any, monkeypatch: Any) -> None:
    clock, client = Clock(monkeypatch), signed_in(learner)

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(PAGE)
        return sum(
            q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
            for q in queries.captured_queries
        )

    clock.wait(1)
    assert session_writes() == 0
    clock.wait(30)
    assert session_writes() == 0
    clock.wait(30)
    assert session_writes() == 1


def test_signed_out_visitors_are_untouched(client: Client) -> None:
    assert client.get("/").status_code == 200
    assert "last_seen" not in client.session


def test_a_learners_form_sent_after_the_idle_time_is_taken_then_the_session_ends(
    learner: Any, monkeypatch: Any, settings: Any
) -> None:
    """An hour spent writing is not lost: what is sent is acted on, then sign-in is asked."""
    clock, client = Clock(monkeypatch), signed_in(learner)
    clock.wait(settings.SESSION_IDLE_SECONDS + 600)
    response = client.post("/progress/settings/", {"answers_private": "on"}, follow=True)
    learner.refresh_from_db()
    assert learner.answers_private
    assert "What you sent just then was received" in response.content.decode()
    assert not client.get(PAGE).wsgi_request.user.is_authenticated


def test_staff_get_no_such_grace(site_admin: Any, monkeypatch: Any, settings: Any) -> None:
    clock, client = Clock(monkeypatch), signed_in(site_admin)
    clock.wait(settings.SESSION_IDLE_SECONDS + 1)
    response = client.post("/progress/settings/", {"answers_private": "on"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    site_admin.refresh_from_db()
    assert not site_admin.answers_private
