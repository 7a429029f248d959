"""The learner's own progress pages, and the public page that verifies a certificate."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from courses import selectors as course_selectors
from progress import presenters, selectors, services
from progress.forms import PreferencesForm


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    learner = cast(User, request.user)
    return render(request, "progress/overview.html", presenters.overview_page(learner=learner))


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
    """POST issues the learner's certificate (once); GET goes to it if it was issued."""
    found = course_selectors.course_for(user=request.user, slug=course)
    learner = cast(User, request.user)
    if request.method == "POST":
        certificate = services.issue_certificate(learner=learner, course=found)
    else:
        certificate = selectors.certificates_of(learner=learner).filter(course=found).first()
    if certificate is None:
        if request.method == "POST":
            messages.info(
                request, "You can get your certificate when you have finished the course."
            )
        return redirect("progress:course", course=course)
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
