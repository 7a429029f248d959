from django.http import HttpRequest
from django.urls import reverse

from accounts import roles


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
