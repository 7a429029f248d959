import time
from typing import cast

from django.http import HttpRequest
from django.urls import reverse

from accounts import roles
from accounts.models import User
from cohorts.access import reportable_cohorts

# Whether someone facilitates or reports on a cohort is remembered in their session for this
# long, so that the navigation costs no query on most page views. A new role shows in the
# navigation within this time (the cohort pages themselves check access on every request).
COHORT_ROLE_CHECK_SECONDS = 5 * 60
COHORT_ROLE_SESSION_KEY = "nav_cohorts"


def remember_cohort_role(*, request: HttpRequest, user: User) -> bool:
    """Check whether the user facilitates or reports on any cohort, and remember it in their
    session. Called at sign-in (whose session is saved anyway) and when the answer is old."""
    value = roles.is_admin(user) or reportable_cohorts(user=user).exists()
    session = getattr(request, "session", None)
    if session is not None:
        session[COHORT_ROLE_SESSION_KEY] = {"user": user.pk, "at": time.time(), "value": value}
    return value


def sees_cohorts(request: HttpRequest) -> bool:
    """Admins, and facilitators or report viewers of any cohort."""
    user = request.user
    if roles.is_admin(user):
        return True
    remembered = getattr(request, "session", {}).get(COHORT_ROLE_SESSION_KEY)
    if (
        isinstance(remembered, dict)
        and remembered.get("user") == user.pk
        and time.time() - remembered.get("at", 0) < COHORT_ROLE_CHECK_SECONDS
    ):
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
