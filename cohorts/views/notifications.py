"""The opt-out link in scheduled emails."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cohorts import notifications


# CSRF protection stops another site from using the visitor's cookies to act for them. This
# view uses no cookie or session: the signed token in the URL is the credential, and only the
# email's recipient has it. Mail clients' one-click unsubscribe (RFC 8058) sends a bare POST
# with no cookies and no CSRF token, so the view must accept that; a POST without a valid
# token is turned away below before anything changes, so the exemption admits nothing else.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = notifications.user_for_unsubscribe_token(token=token)
    if user is None:
        return render(request, "cohorts/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        notifications.stop_progress_emails(user=user)
        return render(request, "cohorts/unsubscribe_done.html")
    # GET changes nothing: mail scanners open links in emails before people do.
    return render(
        request, "cohorts/unsubscribe.html", {"already_stopped": not user.progress_emails}
    )
