import time
from collections import OrderedDict
from typing import cast

from django.http import HttpRequest
from django.urls import reverse

from accounts import mfa, roles
from accounts.models import User
from cohorts.access import reportable_cohorts

# The navigation's role links ("Cohorts" for facilitators and report viewers of any cohort,
# "Marking" for tutors) are decided from answers kept in the session, so that the navigation
# costs no query on most page views; they are checked again after this long (the pages
# themselves check access on every request). The session is written only when an answer
# changes, so checking does not extend the session's life; when each session was last checked
# is remembered by each web process.
ROLE_CHECK_SECONDS = 5 * 60
ROLE_SESSION_KEY = "nav_roles"
# Set to the user's id once they are known to have a second factor (accounts.mfa).
MFA_SESSION_KEY = "mfa_ready"
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


def remember_roles(*, request: HttpRequest, user: User) -> dict[str, int | bool]:
    """Check which role links the user gets, and whether their roles need a second factor
    they have, and keep the answers in their session if they changed. Called at sign-in and
    when the last check is old."""
    answers: dict[str, int | bool] = {
        "user": user.pk,
        "cohorts": roles.is_admin(user) or reportable_cohorts(user=user).exists(),
        "marking": roles.is_tutor(user),
        "authoring": roles.is_author(user) or user.course_roles.exists(),
        "mfa_required": mfa.requires_mfa(user),
    }
    session = getattr(request, "session", None)
    if session is not None:
        if session.get(ROLE_SESSION_KEY) != answers:
            session[ROLE_SESSION_KEY] = answers
        note_mfa(request=request, user=user)
    _note_checked(request)
    return answers


def note_mfa(*, request: HttpRequest, user: User) -> None:
    """Remember in the session whether the user has a second factor (asked at sign-in, when
    one is added or removed, and when the roles are checked again)."""
    ready = mfa.has_mfa(user)
    if ready and request.session.get(MFA_SESSION_KEY) != user.pk:
        request.session[MFA_SESSION_KEY] = user.pk
    elif not ready and MFA_SESSION_KEY in request.session:
        del request.session[MFA_SESSION_KEY]


def remembered_roles(request: HttpRequest) -> dict[str, int | bool]:
    user = request.user
    session = getattr(request, "session", None)
    remembered = session.get(ROLE_SESSION_KEY) if session is not None else None
    key = getattr(session, "session_key", None) or ""
    recent = time.time() - _checked_at.get(key, 0) < ROLE_CHECK_SECONDS
    if recent and isinstance(remembered, dict) and remembered.get("user") == user.pk:
        return remembered
    return remember_roles(request=request, user=cast(User, user))


def sees_cohorts(request: HttpRequest) -> bool:
    """Admins, and facilitators or report viewers of any cohort."""
    return roles.is_admin(request.user) or bool(remembered_roles(request).get("cohorts"))


def sees_marking(request: HttpRequest) -> bool:
    """Tutors and admins."""
    return roles.is_admin(request.user) or bool(remembered_roles(request).get("marking"))


def sees_authoring(request: HttpRequest) -> bool:
    """Authors, admins, and anyone with a role on a course (reviewers too)."""
    return roles.is_admin(request.user) or bool(remembered_roles(request).get("authoring"))


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
        if sees_marking(request):
            link("Marking", reverse("marking:queue"))
        if sees_authoring(request):
            link("Authoring", reverse("authoring:home"))
        if roles.is_admin(user):
            link("Administration", reverse("admin:index"))
            link("System status", reverse("system_status"))
            link("Audit log", reverse("audit:log"))
        link("Your account", reverse("account_email"))
        items.append({"text": "Sign out", "form_action": reverse("account_logout")})
    else:
        link("Sign in", reverse("account_login"))
    return {"navigation": items}
