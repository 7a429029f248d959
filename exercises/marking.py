"""Tutors' pages: the queue of written answers to mark, and answers that could not be marked.

Only answers to published courses reach tutors. An answer to a draft's exercise is an author
trying it before publishing (ADR 15): the question is unpublished, and trials are unlimited, so
they would leak the draft and push learners' answers off the queue. The author's trial page
says so instead ("Not marked: trial").
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import tutor_required
from accounts.models import User
from audit import services as audit
from exercises import presenters, services
from exercises.models import Kind, State, Submission


class MarkForm(forms.Form):
    comment = forms.CharField(
        label="Comment for the learner", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
        error_messages={"required": "Write a comment for the learner"},
    )  # fmt: skip

    def __init__(self, *args: Any, rubric: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        for index, item in enumerate(rubric):
            self.fields[f"points_{index}"] = forms.TypedChoiceField(
                label=f"{item['criterion']} (out of {item['points']})", coerce=int,
                choices=[("", "Choose"), *[(n, str(n)) for n in range(item["points"] + 1)]],
                error_messages={"required": f"Choose the points for “{item['criterion']}”"},
            )  # fmt: skip
        self.order_fields([*(f"points_{i}" for i in range(len(rubric))), "comment"])

    def points(self) -> list[int]:
        return [self.cleaned_data[f"points_{i}"] for i in range(len(self.rubric))]


def _for_tutors() -> QuerySet[Submission]:
    """Answers to the exercises of published courses: never a draft's trials."""
    return Submission.objects.filter(exercise__course__is_draft=False)


@tutor_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    waiting = (
        _for_tutors()
        .filter(state=State.AWAITING_TUTOR)
        .select_related("exercise__course", "learner")
        .order_by("submitted_at")[:200]
    )
    return render(request, "exercises/marking_queue.html", {"submissions": waiting})


@tutor_required
@require_http_methods(["GET", "POST"])
def mark(request: HttpRequest, submission: int) -> HttpResponse:
    found = get_object_or_404(
        _for_tutors().select_related("exercise__course", "learner"),
        pk=submission,
        exercise__kind=Kind.FREE_TEXT,
    )
    if request.method == "GET":
        audit.record(
            actor=request.user, action="marking.viewed_answer", target=found.learner.email,
            details={"submission": found.pk, "exercise": found.exercise.slug,
                     "course": found.exercise.course.slug}, request=request,
        )  # fmt: skip
    form = MarkForm(request.POST or None, rubric=found.exercise.spec["rubric"])
    if request.method == "POST" and found.state == State.AWAITING_TUTOR and form.is_valid():
        try:
            services.mark_written_answer(
                submission=found, tutor=cast(User, request.user), points=form.points(),
                comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except services.AlreadyMarked:
            form.add_error(None, "Another tutor marked this answer while you were reading it")
        else:
            messages.success(request, "Mark saved. The learner can see it now.")
            return redirect("marking:queue")
    context = {
        "submission": found,
        "form": form,
        "question": presenters.question_html(
            exercise=found.exercise, course=found.exercise.course, variant=""
        ),
    }
    return render(request, "exercises/mark.html", context, status=400 if form.errors else 200)


@tutor_required
@require_safe
def errors(request: HttpRequest) -> HttpResponse:
    failed = (
        _for_tutors()
        .filter(state=State.ERROR)
        .select_related("exercise__course", "learner")
        .order_by("-submitted_at")[:200]
    )
    return render(request, "exercises/marking_errors.html", {"submissions": failed})


@tutor_required
@require_POST
def regrade_one(request: HttpRequest, submission: int) -> HttpResponse:
    found = get_object_or_404(
        _for_tutors().select_related("exercise").exclude(exercise__kind=Kind.FREE_TEXT),
        pk=submission,
    )
    services.regrade(exercise=found.exercise, submission=found)
    messages.success(request, "The answer will be marked again.")
    return redirect("marking:errors")
