"""Limits on how often one person may do something: send answers, download exports.

The limits are in ``settings.RATE_LIMITS``, in allauth's notation ("30/m/user": 30 a minute per
person), and are counted by allauth's own rate limiter, the one that guards signing in, in the
shared cache. Signing in is limited by allauth itself (``ACCOUNT_RATE_LIMITS``).

Unlike the limits on signing in, these fail open: while Redis is down a learner can still send
an answer (it is saved, and marked when the broker is back) and a facilitator can still
download what they may see. They protect the service from floods, not accounts from guessing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from masterclass.middleware import UNAVAILABLE

logger = logging.getLogger(__name__)

TOO_MANY_ANSWERS = "You have sent many answers in a short time. Wait a minute and try again."
TOO_MANY_EXPORTS = (
    "You have downloaded many files in a short time. Wait a minute, then try the download again."
)


def consume(request: HttpRequest, *, action: str) -> bool:
    """Count one ``action`` by the signed-in person. False when they are over its limit (and
    then it is not counted)."""
    if action not in settings.RATE_LIMITS:
        raise ImproperlyConfigured(f"settings.RATE_LIMITS has no limit for {action!r}")
    try:
        usage = allauth_ratelimit.consume(
            request,
            app="masterclass",
            action=action,
            config=settings.RATE_LIMITS,
            user=request.user,
            limit_get=True,  # downloads are GET requests
        )
    except UNAVAILABLE as error:
        logger.warning("Rate limit %s not checked: the cache is unavailable: %r", action, error)
        return True
    return usage is not None


class RateLimited(Exception):
    pass


def check(request: HttpRequest, *, action: str) -> None:
    """Like ``consume``, but raises RateLimited when over the limit."""
    if not consume(request, action=action):
        raise RateLimited(action)


def too_many_requests(request: HttpRequest, *, message: str) -> HttpResponse:
    return render(request, "errors/429_limit.html", {"message": message}, status=429)


def limit(action: str, *, message: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view decorator: over the limit, the person gets a 429 page saying ``message``.
    Put it under ``login_required``: limits are per person."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not consume(request, action=action):
                return too_many_requests(request, message=message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


export_limit = limit("export", message=TOO_MANY_EXPORTS)
