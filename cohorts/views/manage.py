"""Running cohorts: the list, creating and changing a cohort, inviting and removing learners."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from audit import services as audit
from cohorts import access, roster, services
from cohorts.forms import CohortForm, InviteForm, MemberForm, UploadForm
from cohorts.models import Cohort, Membership
from cohorts.presenters.pagination import pagination

MEMBERS_PER_PAGE = 50
PROBLEMS_SHOWN = 100
SKIPPED_NAMED = 10


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form data when the form was sent, even empty (so that it shows its errors)."""
    return request.POST if request.method == "POST" else None


@login_required
@require_safe
def cohort_list(request: HttpRequest) -> HttpResponse:
    cohorts = roster.cohorts_for(user=request.user)
    can_create = access.can_create_cohorts(request.user)
    if not (can_create or cohorts.active or cohorts.archived):
        raise Http404("No cohorts")  # the page is for staff, facilitators and report viewers
    return render(request, "cohorts/list.html", {"cohorts": cohorts, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_cohorts(request.user):
        raise Http404("No such page")
    form = CohortForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        cohort = services.create_cohort(
            name=form.cleaned_data["name"],
            course=form.cleaned_data["course"],
            start_date=form.cleaned_data["start_date"],
            facilitators=form.cleaned_data["facilitators"],
            report_viewers=form.cleaned_data["report_viewers"],
            created_by=cast(User, request.user),
        )
        messages.success(
            request,
            f"Cohort created. Now set when each module of {cohort.course} opens and is due.",
        )
        return redirect("cohorts:edit", cohort=cohort.pk)
    context = {"form": form, "title": "Create a cohort"}
    return render(request, "cohorts/cohort_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, cohort: int) -> HttpResponse:
    found = access.cohort_for_admin(user=request.user, cohort_id=cohort)
    form = CohortForm(_posted(request), cohort=found)
    if request.method == "POST" and form.is_valid():
        course_changed = form.course_changed
        try:
            services.update_cohort(
                cohort=found,
                name=form.cleaned_data["name"],
                course=form.cleaned_data["course"],
                start_date=form.cleaned_data["start_date"],
                facilitators=form.cleaned_data["facilitators"],
                report_viewers=form.cleaned_data["report_viewers"],
                archived=form.cleaned_data["archived"],
                schedule=None if course_changed else form.schedule(),
            )
        except services.CourseHasMembers as error:
            form.add_error("course", str(error))
        except services.InvalidSchedule as error:
            form.add_error(None, str(error))
        else:
            if course_changed:
                messages.success(
                    request, "Cohort saved. Now set when each module of the new course opens."
                )
                return redirect("cohorts:edit", cohort=found.pk)
            messages.success(request, f"Cohort “{form.cleaned_data['name']}” saved.")
            return redirect("cohorts:list")
    context = {"form": form, "cohort": found, "title": f"Change {found.name}"}
    return render(request, "cohorts/cohort_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def learners(request: HttpRequest, cohort: int) -> HttpResponse:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    if request.method == "POST" and request.POST.get("action") == "resend":
        return _resend(request, found)
    if request.method == "POST" and request.POST.get("action") == "send_unsent":
        return _send_unsent(request, found)
    form = InviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            membership, created = services.invite_learner(
                cohort=found,
                email=email,
                group=form.cleaned_data["group"],
                invited_by=cast(User, request.user),
            )
        except services.CohortArchived as error:
            form.add_error(None, str(error))
        else:
            if not created:
                messages.info(request, f"{membership.email} is already in this cohort.")
            else:
                _say_whether_sent(request, membership)
            return redirect("cohorts:learners", cohort=found.pk)
    # PostgreSQL refuses NUL characters in text, so they would otherwise be a server error.
    search = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    page = Paginator(roster.members_of(cohort=found, search=search), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "cohort": found,
        "form": form,
        "search": search,
        "page_obj": page,
        "pagination": pagination(page=page, query={"q": search} if search else {}),
        "counts": roster.member_counts(cohort=found),
        "is_admin": access.can_create_cohorts(request.user),
    }
    return render(request, "cohorts/learners.html", context, status=400 if form.errors else 200)


def _say_whether_sent(request: HttpRequest, membership: Membership, *, again: bool = False) -> None:
    """The email is sent when the invitation is saved (after the transaction commits)."""
    sent = Membership.objects.filter(pk=membership.pk, invitation_sent_at__isnull=False).exists()
    if sent:
        messages.success(
            request, f"Invitation sent {'again ' if again else ''}to {membership.email}."
        )
    else:
        messages.warning(
            request,
            f"{membership.email} is invited, but the invitation email could not be sent just "
            "now. Try again later: press Send next to their address.",
        )


def _resend(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    form = MemberForm(request.POST)
    if not form.is_valid():
        raise Http404("No such learner")
    membership = get_object_or_404(
        Membership.objects.select_related("cohort", "invited_by"),
        pk=form.cleaned_data["membership"],
        cohort=cohort,
    )
    try:
        services.resend_invitation(membership=membership)
    except services.CohortError as error:
        messages.info(request, str(error))
    else:
        _say_whether_sent(request, membership, again=True)
    return redirect("cohorts:learners", cohort=cohort.pk)


def _send_unsent(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    try:
        count, queued = services.send_unsent_invitations(cohort=cohort)
    except services.CohortError as error:
        messages.info(request, str(error))
    else:
        if not count:
            messages.info(request, "Every invitation has been sent.")
        elif queued:
            messages.success(
                request,
                f"Sending {count} {'invitation' if count == 1 else 'invitations'}. "
                "This page shows each one as sent once it has gone.",
            )
        else:
            messages.warning(
                request,
                "The invitations could not be sent just now. Try again in a few minutes.",
            )
    return redirect("cohorts:learners", cohort=cohort.pk)


@login_required
@require_http_methods(["GET", "POST"])
def upload_learners(request: HttpRequest, cohort: int) -> HttpResponse:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    form = UploadForm(_posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.invite_learners(
                cohort=found, invitees=form.invitees, invited_by=cast(User, request.user)
            )
        except services.CohortArchived as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _upload_summary(result))
            if result.emails_queued is False:
                messages.warning(
                    request,
                    "The invitation emails could not be sent just now. The learners are "
                    "invited, and the invitations will be sent when you press "
                    "Send unsent invitations.",
                )
            return redirect("cohorts:learners", cohort=found.pk)
    context = {
        "cohort": found,
        "form": form,
        "problems": form.problems[:PROBLEMS_SHOWN],
        "problems_not_shown": max(len(form.problems) - PROBLEMS_SHOWN, 0),
        "lines_reported": any(problem.line for problem in form.problems),
    }
    return render(request, "cohorts/upload.html", context, status=400 if form.errors else 200)


def _upload_summary(result: services.BulkInvitation) -> str:
    invited = len(result.invited)
    skipped = result.already_in_cohort
    text = f"{invited} {'learner' if invited == 1 else 'learners'} invited"
    if not skipped:
        return text + "."
    named = ", ".join(skipped[:SKIPPED_NAMED])
    more = f" and {len(skipped) - SKIPPED_NAMED} more" if len(skipped) > SKIPPED_NAMED else ""
    return f"{text}, {len(skipped)} already in the cohort and left as they were: {named}{more}."


@login_required
@require_http_methods(["GET", "POST"])
def remove_learner(request: HttpRequest, cohort: int, membership: int) -> HttpResponse:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    member = get_object_or_404(
        Membership.objects.select_related("learner"), pk=membership, cohort=found
    )
    if request.method == "POST":
        services.remove_learner(membership=member)
        audit.record(
            actor=request.user,
            action="removed_cohort_member",
            target=member.email,
            details={"cohort": found.pk, "learner": member.learner_id},
            request=request,
        )
        messages.success(request, f"{member.email} has been removed from {found.name}.")
        return redirect("cohorts:learners", cohort=found.pk)
    return render(request, "cohorts/remove_learner.html", {"cohort": found, "member": member})
