"""Who works on a course, reviewers' comments, and the course's audit trail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from authoring import activity as trail
from authoring import bundles, selectors, services
from authoring.access import Need
from authoring.forms import CommentForm, RoleForm
from authoring.models import ROLE_HINTS, Comment, CourseRole, Role
from authoring.views.common import _user, page, workspace


@login_required
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.VIEW if request.method == "GET" else Need.MANAGE)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["email"]
        try:
            services.set_role(
                workspace=ws, user=user, role=form.cleaned_data["role"], actor=_user(request)
            )
        except services.LastOwner:
            form.add_error("role", "The course needs at least one owner: add another first")
        else:
            label = Role(form.cleaned_data["role"]).label.lower()
            messages.success(request, f"{user.email} is now {label} of the course.")
            return redirect("authoring:people", course=ws.slug)
    roles = CourseRole.objects.filter(workspace=ws).select_related("user").order_by("user__email")
    return page(
        request, "authoring/people.html", ws,
        {"form": form, "course_roles": roles, "hints": ROLE_HINTS},
        section="people",
    )  # fmt: skip


@login_required
@require_POST
def remove(request: HttpRequest, course: str, role: int) -> HttpResponse:
    ws = workspace(request, course, Need.MANAGE)
    found = get_object_or_404(CourseRole.objects.select_related("user"), pk=role, workspace=ws)
    try:
        services.remove_role(workspace=ws, course_role=found, actor=_user(request))
    except services.LastOwner:
        messages.error(request, "The course needs at least one owner: add another first.")
    else:
        messages.success(request, f"{found.user.email} no longer works on the course.")
    return redirect("authoring:people", course=ws.slug)


def _parts(ws: object) -> list[tuple[str, str]]:
    """What a comment can be about: each file of the draft, named for people."""
    return [(path, path) for path in sorted(bundles.files_of(ws.draft))]  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def comments(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course)  # reviewers comment: VIEW is enough
    form = CommentForm(request.POST or None, parts=_parts(ws),
                       initial={"about": request.GET.get("about", "")})  # fmt: skip
    if request.method == "POST" and form.is_valid():
        services.add_comment(
            workspace=ws, author=_user(request), about=form.cleaned_data["about"],
            text=form.cleaned_data["text"],
        )  # fmt: skip
        messages.success(request, "Your comment is added.")
        return redirect("authoring:comments", course=ws.slug)
    return page(
        request, "authoring/comments.html", ws,
        {"form": form, "comments": selectors.comments(workspace=ws)},
        section="comments",
    )  # fmt: skip


@login_required
@require_POST
def resolve_comment(request: HttpRequest, course: str, comment: int) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = get_object_or_404(Comment, pk=comment, workspace=ws)
    services.resolve_comment(workspace=ws, comment=found, actor=_user(request))
    messages.success(request, "The comment is marked as resolved.")
    return redirect("authoring:comments", course=ws.slug)


@login_required
@require_http_methods(["GET"])
def activity(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course)
    return page(
        request, "authoring/activity.html", ws,
        {"entries": [trail.describe(e) for e in selectors.activity(workspace=ws)]},
        section="activity",
    )  # fmt: skip
