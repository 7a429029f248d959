"""The authoring home, new courses, a course's overview and its details."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from authoring import access, editor, selectors, services
from authoring.access import Need
from authoring.forms import CourseCreateForm, CourseDetailsForm
from authoring.views.common import _user, page, save_form, workspace
from courses.content.problems import ContentInvalid


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """The courses this person works on. Admins also see live courses that have no
    workspace yet (made before authoring existed) and can open one (POST)."""
    may_open = access.can_open_workspaces(user=request.user)
    if request.method == "POST":
        if not may_open:
            raise PermissionDenied("Only admins can bring a course into the authoring area.")
        chosen = request.POST.get("course", "")
        valid = chosen.isascii() and chosen.isdigit() and len(chosen) < 10
        course = get_object_or_404(
            selectors.courses_without_workspace(), pk=int(chosen) if valid else 0
        )
        try:
            found = services.workspace_for_course(course=course, actor=_user(request))
        except ContentInvalid as invalid:
            messages.error(
                request,
                f"“{course.title}” has {len(invalid.problems)} problems that today's checks "
                f"find, so it cannot be opened here. Fix its folder and import it again: "
                f"{invalid.problems[0]}",
            )
            return redirect("authoring:home")
        return redirect("authoring:overview", course=found.slug)
    workspaces = list(access.workspaces_for(user=request.user))
    can_create = access.can_create_courses(user=request.user)
    if not workspaces and not can_create:
        raise Http404("No courses to author")
    return render(
        request,
        "authoring/home.html",
        {
            "workspaces": workspaces,
            "can_create": can_create,
            "without_workspace": selectors.courses_without_workspace() if may_open else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_courses(user=request.user):
        raise PermissionDenied("Only authors and admins can create courses.")
    form = CourseCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            found = services.create_course(actor=_user(request), **form.cleaned_data)
        except services.SlugTaken:
            form.add_error("slug", "A course already has this short name: choose another")
        else:
            messages.success(request, f"“{found.draft.title}” is ready: add its first module.")
            return redirect("authoring:overview", course=found.slug)
    return render(
        request, "authoring/create.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET"])
def overview(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course)
    return page(
        request,
        "authoring/overview.html",
        ws,
        {
            "status": selectors.status(workspace=ws),
            "modules": selectors.outline(course=ws.draft),
            "contents": selectors.contents(course=ws.draft),
        },
        section="overview",
    )


@login_required
@require_http_methods(["GET", "POST"])
def details(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    form = CourseDetailsForm(request.POST or None, instance=ws.draft)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = editor.render_preview(workspace=ws, text=form.cleaned_data["introduction"])
        elif save_form(
            request=request, workspace=ws, form=form, instance=form.instance,
            what=f"course:{ws.draft.pk}", noun="course",
        ):  # fmt: skip
            messages.success(request, "The course details are saved in the draft.")
            return redirect("authoring:overview", course=ws.slug)
    return page(
        request,
        "authoring/details.html",
        ws,
        {"form": form, "preview": preview, **editor.editor_context(workspace=ws)},
        section="details",
    )
