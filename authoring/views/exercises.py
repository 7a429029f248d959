"""The draft's exercises: the list, creating one of any kind, editing, and deleting.

Creating starts from a valid template for the chosen kind (``?kind=…``), so that choosing a
kind and saving gives a working exercise. "Try it as a learner" is the draft's own exercise
page (``/courses/<slug>_draft/exercises/…``), where answers are marked by the real pipeline
but count for nothing (exercises.services.submit_answer); written answers there are kept for
their author and never sent to tutors (exercises.marking).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_safe

from authoring import exercise_editing as editing
from authoring.access import Need
from authoring.models import Workspace
from authoring.views.common import _user, page, save_form, workspace
from exercises.models import Exercise, Kind

SECTION = "exercises"


@login_required
@require_safe
def exercise_list(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course)
    embedded = editing.embedding_lessons(draft=ws.draft)
    exercises = [
        {"exercise": exercise, "lessons": embedded.get(exercise.slug, [])}
        for exercise in Exercise.objects.filter(course=ws.draft)
        .select_related("course")  # each row links to its trial page (get_absolute_url)
        .order_by("title", "slug")
    ]
    return page(
        request, "authoring/exercises/list.html", ws, {"exercises": exercises}, section=SECTION
    )


def _kind(value: str | None) -> str | None:
    return value if value in Kind.values else None


def _choose(
    request: HttpRequest, ws: Workspace, content: editing.DraftContent, error: str = ""
) -> HttpResponse:
    return page(
        request,
        "authoring/exercises/choose.html",
        ws,
        {"kinds": editing.available_kinds(draft=ws.draft, content_=content), "error": error},
        section=SECTION,
        status=400 if error else 200,
    )


def _form_page(
    request: HttpRequest,
    ws: Workspace,
    form: editing.ExerciseForm,
    content: editing.DraftContent,
    extra: dict[str, Any],
) -> HttpResponse:
    kind = form.kind_value
    context = {
        "form": form,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "kind_hint": editing.KIND_HINTS[Kind(kind)],
        "example": editing.worked_example(kind, draft=ws.draft, content_=content),
        "kinds": editing.available_kinds(draft=ws.draft, content_=content),
        **extra,
    }
    return page(request, "authoring/exercises/form.html", ws, context, section=SECTION)


@login_required
@require_http_methods(["GET", "POST"])
def exercise_create(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    content = editing.DraftContent.of(ws.draft)
    source = request.POST if request.method == "POST" else request.GET
    if "kind" not in source and request.method == "GET":
        return _choose(request, ws, content)
    kind = _kind(source.get("kind"))
    if kind is None:
        return _choose(request, ws, content, "Choose the kind of exercise")
    try:
        start = editing.starting_source(kind, draft=ws.draft, content_=content)
    except editing.NotAvailable as reason:
        return _choose(request, ws, content, str(reason))
    initial = editing.initial_from_source(start, kind=kind)
    initial["slug"] = editing.free_slug(draft=ws.draft, base=f"new-{kind.replace('_', '-')}")
    form = editing.ExerciseForm(
        request.POST if request.method == "POST" else None,
        initial=initial, kind=kind, draft=ws.draft, content_=content, creating=True,
    )  # fmt: skip
    if request.method == "POST" and form.is_valid() and form.checked is not None:
        slug = form.cleaned_data["slug"]
        try:
            created = editing.create_exercise(
                workspace=ws, slug=slug, checked=form.checked, charts=content.charts,
                actor=_user(request),
            )  # fmt: skip
        except editing.SlugInUse:
            form.add_error("slug", "The course already has an exercise with this short name")
        else:
            messages.success(
                request,
                f"“{created.title}” is saved in the draft. Embed it in a lesson with "
                f"{{{{ exercise: {created.slug} }}}}.",
            )
            return redirect("authoring:exercise_edit", course=ws.slug, exercise=created.slug)
    return _form_page(request, ws, form, content, {"creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def exercise_edit(request: HttpRequest, course: str, exercise: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = get_object_or_404(Exercise.objects.filter(course=ws.draft), slug=exercise)
    content = editing.DraftContent.of(ws.draft)
    source = found.source or {"kind": found.kind}
    chosen = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    kind = _kind(chosen) or found.kind
    try:
        initial = editing.combined_initial(source, kind=kind, draft=ws.draft, content_=content)
    except editing.NotAvailable as reason:
        messages.error(request, str(reason))
        kind = found.kind
        initial = editing.combined_initial(source, kind=kind, draft=ws.draft, content_=content)
    form = editing.ExerciseForm(
        request.POST if request.method == "POST" else None,
        initial=initial, instance=found, kind=kind, draft=ws.draft, content_=content,
        creating=False, original=source if kind == found.kind else {},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid() and form.checked is not None:
        was = found.version
        editing.fill(found, checked=form.checked, charts=content.charts)
        if save_form(
            request=request, workspace=ws, form=form, instance=found,
            what=f"exercise:{found.pk}", noun="exercise",
        ):  # fmt: skip
            messages.success(request, _saved_message(ws, found, changed=found.version != was))
            return redirect("authoring:exercise_edit", course=ws.slug, exercise=found.slug)
    return _form_page(
        request,
        ws,
        form,
        content,
        {
            "creating": False,
            "exercise": found,
            "lessons": editing.embedding_lessons(draft=ws.draft).get(found.slug, []),
            "kind_changed": kind != found.kind,
            "live_version": _live_version(ws, found),
        },
    )


def _live_version(ws: Workspace, exercise: Exercise) -> int | None:
    """The version learners answer: the published exercise's, None if it is not published.

    The draft's own counter moves on every change to the question and means nothing to
    learners; the live exercise gets a new version when a changed question is published."""
    if ws.live_id is None:
        return None
    return (
        Exercise.objects.filter(course_id=ws.live_id, slug=exercise.slug)
        .values_list("version", flat=True)
        .first()
    )


def _saved_message(ws: Workspace, exercise: Exercise, *, changed: bool) -> str:
    if not changed:
        return f"“{exercise.title}” is saved in the draft."
    live = _live_version(ws, exercise)
    until = f" Until then they answer version {live}." if live is not None else ""
    return f"Saved in the draft. Learners get the new question when the course is published.{until}"


@login_required
@require_http_methods(["GET", "POST"])
def exercise_delete(request: HttpRequest, course: str, exercise: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = get_object_or_404(Exercise.objects.filter(course=ws.draft), slug=exercise)
    lessons = editing.embedding_lessons(draft=ws.draft).get(found.slug, [])
    error = ""
    if request.method == "POST":
        try:
            editing.delete_exercise(workspace=ws, exercise=found, actor=_user(request))
        except editing.StillEmbedded as embedded:
            lessons = embedded.lessons
            error = "Remove the exercise from these lessons before deleting it"
        else:
            messages.success(request, f"“{found.title}” is deleted from the draft.")
            return redirect("authoring:exercises", course=ws.slug)
    return page(
        request,
        "authoring/exercises/delete.html",
        ws,
        {"exercise": found, "lessons": lessons, "error": error},
        section=SECTION,
        status=400 if error else None,
    )
