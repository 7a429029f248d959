import time
from collections import OrderedDict
from typing import cast

from django.http import HttpRequest
from django.urls import reverse

from accounts import roles
from accounts.models import User
from cohorts.access import reportable_cohorts

# Whether someone facilitates or reports on a cohort is kept in their session, so that the
# navigation costs no query on most page views, and checked again after this long (the cohort
# pages themselves check access on every request). The session is written only when the
# answer changes, so checking does not extend the session's life; when each session was last
# checked is remembered by each web process.
COHORT_ROLE_CHECK_SECONDS = 5 * 60
COHORT_ROLE_SESSION_KEY = "nav_cohorts"
_checked_at: OrderedDict[str, float] = OrderedDict()
_CHECKED_LIMIT = 10_000


def _note_checked(request: HttpRequest) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if not key:
        return
    _checked_at[key] = time.time()
    _checked_at.move_to_end(key)
    while len(_checked_at) > _CHECKED_LIMIT:
        _checked_at.popitem(last=False)


def remember_cohort_role(*, request: HttpRequest, user: User) -> bool:
    """Check whether the user facilitates or reports on any cohort, and keep the answer in
    their session if it changed. Called at sign-in and when the last check is old."""
    value = roles.is_admin(user) or reportable_cohorts(user=user).exists()
    session = getattr(request, "session", None)
    if session is not None and session.get(COHORT_ROLE_SESSION_KEY) != {
        "user": user.pk,
        "value": value,
    }:
        session[COHORT_ROLE_SESSION_KEY] = {"user": user.pk, "value": value}
    _note_checked(request)
    return value


def sees_cohorts(request: HttpRequest) -> bool:
    """Admins, and facilitators or report viewers of any cohort."""
    user = request.user
    if roles.is_admin(user):
        return True
    session = getattr(request, "session", None)
    remembered = session.get(COHORT_ROLE_SESSION_KEY) if session is not None else None
    key = getattr(session, "session_key", None) or ""
    recent = time.time() - _checked_at.get(key, 0) < COHORT_ROLE_CHECK_SECONDS
    if recent and isinstance(remembered, dict) and remembered.get("user") == user.pk:
        return bool(remembered.get("value"))
    return remember_cohort_role(request=request, user=cast(User, user))


def navigation(request: HttpRequest) -> dict[str, list[dict[str, str | bool]]]:
    """The service navigation items that this person's roles give them."""
    user = getattr(request, "user", None)
    if user is None:
        return {"navigation": []}
    path = request.path
    items: list[dict[str, str | bool]] = []

    def link(text: str, url: str, *, exact: bool = False) -> None:
        current = path == url if exact else path.startswith(url)
        items.append({"text": text, "href": url, "current": current})

    link("Home", reverse("home"), exact=True)
    if user.is_authenticated:
        link("Your progress", reverse("progress:overview"))
        if sees_cohorts(request):
            link("Cohorts", reverse("cohorts:list"))
        if roles.is_tutor(user):
            link("Marking", reverse("marking:queue"))
        if roles.is_admin(user):
            link("Administration", reverse("admin:index"))
            link("System status", reverse("system_status"))
        link("Your account", reverse("account_email"))
        items.append({"text": "Sign out", "form_action": reverse("account_logout")})
    else:
        link("Sign in", reverse("account_login"))
    return {"navigation": items}
