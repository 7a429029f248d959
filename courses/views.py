from __future__ import annotations

import csv
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from cohorts.roster import pending_invitations_for
from courses import rendering, selectors, services
from courses.content import charts as chart_content
from courses.content.datasets import column_list
from courses.presenters import after_reading, course_page, home_page, lesson_page
from courses.responses import not_open_yet


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    context = home_page(user=request.user)
    context["invitations"] = pending_invitations_for(user=request.user)
    return render(request, "courses/home.html", context)


@login_required
@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    courses = selectors.visible_courses(user=request.user)
    return render(request, "courses/catalogue.html", {"courses": courses})


@login_required
@require_safe
def course(request: HttpRequest, course: str) -> HttpResponse:
    found = selectors.course_for(user=request.user, slug=course)
    return render(request, "courses/course.html", course_page(course=found, user=request.user))


@login_required
@require_safe
def lesson(request: HttpRequest, course: str, module: str, lesson: str) -> HttpResponse:
    found = selectors.lesson_for(user=request.user, course=course, module=module, lesson=lesson)
    context = lesson_page(lesson=found, user=request.user)
    if opens_on := context["opens_on"]:
        return not_open_yet(request, lesson=found, course=found.module.course, opens_on=opens_on)
    return render(request, "courses/lesson.html", context)


@login_required
@require_POST
def mark_read(request: HttpRequest, course: str, module: str, lesson: str) -> HttpResponse:
    found = selectors.lesson_for(user=request.user, course=course, module=module, lesson=lesson)
    after = after_reading(lesson=found, user=request.user)
    if opens_on := after["opens_on"]:
        return not_open_yet(request, lesson=found, course=found.module.course, opens_on=opens_on)
    services.mark_lesson_read(learner=cast(User, request.user), lesson=found)
    messages.success(request, f"You have read “{found.title}”.")
    return redirect(after["next_url"])


@login_required
@require_safe
def glossary(request: HttpRequest, course: str) -> HttpResponse:
    found = selectors.course_for(user=request.user, slug=course)
    context = {"course": found, "terms": selectors.glossary_for(course=found)}
    return render(request, "courses/glossary.html", context)


@login_required
@require_safe
def dataset(request: HttpRequest, course: str, dataset: str) -> HttpResponse:
    found = selectors.course_for(user=request.user, slug=course)
    data = selectors.dataset_for(course=found, slug=dataset)
    context = {
        "course": found,
        "dataset": data,
        "columns": column_list(data.columns),
        "preview": rendering.dataset_preview(data),
        "csv_url": reverse("courses:dataset_csv", kwargs={"course": course, "dataset": dataset}),
    }
    return render(request, "courses/dataset.html", context)


def _csv_response(filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def dataset_csv(request: HttpRequest, course: str, dataset: str) -> HttpResponse:
    found = selectors.course_for(user=request.user, slug=course)
    data = selectors.dataset_for(course=found, slug=dataset)
    response = _csv_response(f"{data.slug}.csv")
    response.write(data.csv_text)
    return response


@login_required
@require_safe
def chart_csv(request: HttpRequest, course: str, chart: str) -> HttpResponse:
    found = selectors.course_for(user=request.user, slug=course)
    item = selectors.chart_for(course=found, slug=chart)
    columns = column_list(item.dataset.columns)
    rows = chart_content.apply_filters(
        rendering.dataset_rows(item.dataset), item.spec.get("filters") or []
    )
    response = _csv_response(f"{item.slug}.csv")
    writer = csv.writer(response)
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow(["" if row[c.name] is None else row[c.name] for c in columns])
    return response
