"""Session rules: people whose roles need two-factor authentication set it up before anything
else, and sessions end after a spell without activity."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import ResolverMatch, reverse

from accounts import mfa
from accounts.context_processors import MFA_SESSION_KEY, note_mfa, remembered_roles

# Pages anyone signed in may reach before setting up a second factor: their account's pages
# (allauth's, where the setting up happens, and signing out), and the site's plain pages.
OPEN_NAMES = {"healthz", "privacy", "accessibility"}
# Staff pages: their access is decided afresh on every request, so the second factor is too
# (elsewhere the roles remembered in the session decide, checked again every few minutes).
STAFF_NAMESPACES = {"authoring", "marking", "cohorts", "audit", "admin"}
LEARNER_COHORT_PAGES = {"cohorts:join", "cohorts:decline", "cohorts:unsubscribe"}
STAFF_NAMES = {"system_status"}

LAST_SEEN_KEY = "last_seen"
SIGNED_IN_KEY = "signed_in_at"
SEEN_RESOLUTION_SECONDS = 60


def is_open(match: ResolverMatch) -> bool:
    return match.route.startswith("accounts/") or match.url_name in OPEN_NAMES


def is_staff_page(match: ResolverMatch) -> bool:
    if match.view_name in STAFF_NAMES:
        return True
    return bool(set(match.namespaces) & STAFF_NAMESPACES) and (
        match.view_name not in LEARNER_COHORT_PAGES
    )


class MFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        match = request.resolver_match
        if not user.is_authenticated or match is None or is_open(match):
            return None
        if request.session.get(MFA_SESSION_KEY) == user.pk:
            return None  # known to have a second factor: no query
        if is_staff_page(match):
            required = mfa.requires_mfa(user)
        else:
            required = bool(remembered_roles(request).get("mfa_required"))
        if not required:
            return None
        note_mfa(request=request, user=user)  # set up since (in another session, say)
        if request.session.get(MFA_SESSION_KEY) == user.pk:
            return None
        messages.warning(request, mfa.REQUIRED_MESSAGE)
        return HttpResponseRedirect(reverse("mfa_index"))


class IdleSessionMiddleware:
    """Signs people out after a spell without activity, and at the latest a fixed time after
    they signed in, whatever they do (settings.SESSION_IDLE_SECONDS, SESSION_COOKIE_AGE).

    A learner who spends longer than that writing an answer does not lose it: a form they
    send after their session has run out is taken, and the session ends with the answer.
    Staff roles get no such grace: their session ends before anything they send is acted on.

    The last activity is written to the session at most once a minute, so reading pages does
    not cost a database write each time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        reason = self.ended(request) if request.user.is_authenticated else None
        if reason is None:
            return self.get_response(request)
        if request.method == "POST" and not remembered_roles(request).get("mfa_required"):
            response = self.get_response(request)
            sign_out(request, f"{reason} What you sent just then was received.")
            return response
        sign_out(request, reason)
        return self.get_response(request)

    def ended(self, request: HttpRequest) -> str | None:
        """Why the session has ended, or None (then the activity is noted)."""
        session, now = request.session, int(time.time())
        seen = session.get(LAST_SEEN_KEY)
        started = session.setdefault(SIGNED_IN_KEY, seen or now)
        if isinstance(seen, int) and now - seen > settings.SESSION_IDLE_SECONDS:
            minutes = settings.SESSION_IDLE_SECONDS // 60
            return f"You were signed out after {minutes} minutes without activity."
        if isinstance(started, int) and now - started > settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE // 3600
            return f"You were signed out {hours} hours after signing in."
        if not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION_SECONDS:
            session[LAST_SEEN_KEY] = now
        return None


def sign_out(request: HttpRequest, reason: str) -> None:
    logout(request)
    messages.info(request, f"{reason} Sign in again to carry on where you left off.")
