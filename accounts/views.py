"""The person's own data: seeing and downloading it ("Your data"), and deleting the account."""

from __future__ import annotations

import time
from typing import cast

from allauth.account import app_settings as allauth_settings
from allauth.account.decorators import reauthentication_required
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import get_reauthentication_flows
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts import data_export, data_rights
from accounts.data_rights_forms import DeleteAccountForm
from accounts.models import User
from audit import services as audit
from masterclass import ratelimits

TOO_MANY_DOWNLOADS = (
    "You have downloaded your data many times in the last hour. Wait an hour, then try again."
)
download_limit = ratelimits.limit("data_export", message=TOO_MANY_DOWNLOADS)


@login_required
@require_safe
def your_data(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/your_data.html", {"tables": data_export.TABLES})


@login_required
@require_safe
@download_limit
def download_json(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    response = HttpResponse(
        data_export.personal_data_json(user=user), content_type="application/json"
    )
    return _as_download(request, response, filename="data-masterclass-your-data.json", kind="json")


@login_required
@require_safe
def download_csv(request: HttpRequest, table: str) -> HttpResponse:
    found = data_export.TABLES_BY_SLUG.get(table)
    if found is None:
        raise Http404("No such table")
    return _download_csv(request, found)


@download_limit
def _download_csv(request: HttpRequest, found: data_export.Table) -> HttpResponse:
    user = cast(User, request.user)
    response = HttpResponse(
        data_export.table_csv(table=found, user=user), content_type="text/csv; charset=utf-8"
    )
    return _as_download(request, response, filename=found.filename, kind=f"csv:{found.slug}")


def _as_download(
    request: HttpRequest, response: HttpResponse, *, filename: str, kind: str
) -> HttpResponse:
    audit.record(
        actor=request.user,
        action="account.data_exported",
        target=request.user.get_username(),
        details={"format": kind},
        request=request,
    )
    stamped = filename.replace(".", f"-{timezone.localdate():%Y-%m-%d}.", 1)
    response["Content-Disposition"] = f'attachment; filename="{stamped}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Asks the person to confirm who they are (allauth's reauthentication, when they have not
    in the last few minutes), then to tick a box."""
    user = cast(User, request.user)
    if not _confirmed_lately(request, user):
        return render(request, "accounts/sign_in_again.html", status=403)
    blockers = data_rights.closing_blockers(user=user)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not blockers and form.is_valid():
        try:
            data_rights.anonymise_user(user=user, reason=data_rights.Reason.REQUESTED)
        except data_rights.AccountCannotBeClosed as refused:
            blockers = refused.reasons
        else:
            logout(request)
            return redirect("accounts:deleted")
    status = 400 if form.errors else 409 if blockers and request.method == "POST" else 200
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "blockers": blockers},
        status=status,
    )


def _confirmed_lately(request: HttpRequest, user: User) -> bool:
    """allauth asks for a password or a second factor again, and lets through people who have
    neither (they sign in only through their organisation). They must have signed in within
    the last few minutes instead."""
    if get_reauthentication_flows(user):
        return True  # allauth's reauthentication_required has just checked
    records = get_authentication_records(request, user)
    return (
        bool(records)
        and time.time() - records[-1]["at"] < allauth_settings.REAUTHENTICATION_TIMEOUT
    )


@require_safe
def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account_deleted.html")
