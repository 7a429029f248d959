"""Responses that the course pages and the exercise pages both give."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from courses.models import Course, Lesson
from progress.presenters import long_date


def not_open_yet(
    request: HttpRequest, *, lesson: Lesson | None, course: Course, opens_on: date
) -> HttpResponse:
    """A module that the learner's cohort has not opened yet: a calm page, not an error."""
    context = {"course": course, "lesson": lesson, "opens_on": long_date(opens_on)}
    return render(request, "courses/not_open_yet.html", context, status=403)
