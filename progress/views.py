"""The learner's own progress pages, and the public page that verifies a certificate."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from cohorts.roster import pending_invitations_for
from courses import selectors as course_selectors
from courses.models import Course
from progress import presenters, selectors, services
from progress.forms import CertificateNameForm, PreferencesForm


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    learner = cast(User, request.user)
    context = presenters.overview_page(learner=learner)
    context["invitations"] = pending_invitations_for(user=learner)
    return render(request, "progress/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    learner = cast(User, request.user)
    form = PreferencesForm(request.POST or None, instance=learner)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your choices have been saved.")
        return redirect("progress:settings")
    return render(
        request, "progress/settings.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_safe
def course_progress(request: HttpRequest, course: str) -> HttpResponse:
    found = course_selectors.course_for(user=request.user, slug=course)
    context = presenters.course_progress_page(learner=cast(User, request.user), course=found)
    return render(request, "progress/course.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_certificate(request: HttpRequest, course: str) -> HttpResponse:
    """The learner's certificate for a course: GET goes to it once issued; POST issues it
    (once). The certificate is public, so it never shows an email address: a learner whose
    account has no name is asked for the name to print first."""
    found = course_selectors.course_for(user=request.user, slug=course)
    learner = cast(User, request.user)
    issued = selectors.certificate_of(learner=learner, course=found)
    if issued is not None:
        return redirect(issued)
    if not selectors.has_completed(learner=learner, course=found):
        if request.method == "POST":
            messages.info(
                request, "You can get your certificate when you have finished the course."
            )
        return redirect("progress:course", course=course)
    if learner.get_full_name().strip():
        if request.method == "POST":
            return _issue(learner=learner, course=found)
        return redirect("progress:course", course=course)
    # The "Get your certificate" button sends no name: show the question, without errors.
    answered = request.method == "POST" and "name" in request.POST
    form = CertificateNameForm(request.POST if answered else None)
    if form.is_valid():
        return _issue(learner=learner, course=found, name=form.cleaned_data["name"])
    return render(
        request,
        "progress/certificate_name.html",
        {"course": found, "form": form},
        status=400 if form.errors else 200,
    )


def _issue(*, learner: User, course: Course, name: str | None = None) -> HttpResponse:
    certificate = services.issue_certificate(learner=learner, course=course, name=name)
    if certificate is None:  # no longer complete (the course's content changed meanwhile)
        return redirect("progress:course", course=course.slug)
    return redirect(certificate)


@require_safe
def certificate(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone given the link can check the certificate."""
    found = selectors.certificate_with_code(code=code)
    if found is None:
        raise Http404("No such certificate")
    viewer = cast(User, request.user) if request.user.is_authenticated else None
    context = presenters.certificate_page(
        certificate=found, viewer=viewer, fallback_base=request.build_absolute_uri("/")
    )
    return render(request, "progress/certificate.html", context)
