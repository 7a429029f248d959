"""A learner's answer to an invitation to a cohort: join it, or decline it."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import User
from audit import services as audit
from cohorts import roster, services
from cohorts.models import Membership


def _invitation(request: HttpRequest, membership: int) -> Membership:
    """The invitation, only if it is pending and sent to one of the user's verified
    addresses: anyone else, facilitators and admins included, gets 404."""
    return get_object_or_404(
        roster.pending_memberships_for(user=request.user).select_related("cohort__course"),
        pk=membership,
    )


def _back(request: HttpRequest) -> HttpResponse:
    """Back to the page that showed the invitation (the home page or the progress page)."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ) and target.startswith("/"):
        return redirect(target)
    return redirect("home")


@login_required
@require_POST
def join(request: HttpRequest, membership: int) -> HttpResponse:
    invitation = _invitation(request, membership)
    cohort = invitation.cohort
    try:
        services.join_cohort(membership=invitation, learner=cast(User, request.user))
    except services.InvitationNotPending as error:
        messages.info(request, str(error))
        return _back(request)
    audit.record(
        actor=request.user,
        action="joined_cohort",
        target=invitation.email,
        details={"cohort": cohort.pk, "membership": invitation.pk},
        request=request,
    )
    messages.success(
        request,
        f"You have joined {cohort.name}. Its facilitators can now see your progress on "
        f"{cohort.course.title}.",
    )
    return _back(request)


@login_required
@require_POST
def decline(request: HttpRequest, membership: int) -> HttpResponse:
    invitation = _invitation(request, membership)
    cohort = invitation.cohort
    try:
        services.decline_invitation(membership=invitation)
    except services.InvitationNotPending as error:
        messages.info(request, str(error))
        return _back(request)
    audit.record(
        actor=request.user,
        action="declined_cohort_invitation",
        target=invitation.email,
        details={"cohort": cohort.pk},
        request=request,
    )
    messages.success(
        request,
        f"You have declined the invitation to join {cohort.name}. Its facilitators do not see "
        "your progress.",
    )
    return _back(request)
