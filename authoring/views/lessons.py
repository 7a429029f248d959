"""Modules, lessons and glossary terms of the draft: add, edit, reorder, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_POST

from authoring import editor, services
from authoring.access import Need
from authoring.forms import LessonForm, ModuleForm, TermForm
from authoring.models import Workspace
from authoring.views.common import _user, page, save_form, workspace
from courses.models import GlossaryTerm, Lesson, Module
from courses.services import bump_content_version


def _module(ws: Workspace, slug: str) -> Module:
    return get_object_or_404(Module, course=ws.draft, slug=slug)


def _lesson(ws: Workspace, module: str, lesson: str) -> Lesson:
    return get_object_or_404(
        Lesson.objects.select_related("module"),
        module__course=ws.draft,
        module__slug=module,
        slug=lesson,
    )


def _next_position(queryset: models.QuerySet) -> int:  # type: ignore[type-arg]
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


# --- Modules ----------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def module_create(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    form = ModuleForm(request.POST or None, course=ws.draft)
    if request.method == "POST" and form.is_valid():
        module = form.save(commit=False)
        module.course = ws.draft
        module.position = _next_position(ws.draft.modules.all())
        if save_form(request=request, workspace=ws, form=form, instance=module,
                     what="module:new", noun="module"):  # fmt: skip
            messages.success(request, f"Module “{module.title}” added: now add its lessons.")
            return redirect("authoring:overview", course=ws.slug)
    return page(request, "authoring/module_form.html", ws, {"form": form}, section="overview")


@login_required
@require_http_methods(["GET", "POST"])
def module_edit(request: HttpRequest, course: str, module: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = _module(ws, module)
    form = ModuleForm(request.POST or None, instance=found, course=ws.draft)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_form(
            request=request,
            workspace=ws,
            form=form,
            instance=form.instance,
            what=f"module:{found.pk}",
            noun="module",
        )  # fmt: skip
    ):
        messages.success(request, f"Module “{found.title}” saved in the draft.")
        return redirect("authoring:overview", course=ws.slug)
    return page(
        request, "authoring/module_form.html", ws, {"form": form, "module": found},
        section="overview",
    )  # fmt: skip


@transaction.atomic
def _move(items: models.QuerySet, item: models.Model, direction: str) -> bool:  # type: ignore[type-arg]
    """Swap an item with its neighbour above or below; positions are renumbered 1, 2, 3…"""
    ordered = list(items.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(ordered) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= target < len(ordered):
        return False
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, other in enumerate(ordered, start=1):
        if other.position != position:  # type: ignore[attr-defined]
            type(other)._base_manager.filter(pk=other.pk).update(position=position)
    return True


@login_required
@require_POST
def module_move(request: HttpRequest, course: str, module: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = _module(ws, module)
    direction = request.POST.get("direction", "")
    if _move(ws.draft.modules.all(), found, direction):
        bump_content_version(course=ws.draft)
        services.record(workspace=ws, actor=_user(request), action="move",
                        what=f"module:{found.pk}", direction=direction)  # fmt: skip
        messages.success(request, f"Module “{found.title}” moved {direction}.")
    return redirect("authoring:overview", course=ws.slug)


@login_required
@require_http_methods(["GET", "POST"])
def module_delete(request: HttpRequest, course: str, module: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = _module(ws, module)
    return _delete(
        request, ws, found, noun="module", title=found.title, what=f"module:{module}",
        consequence=f"Its {found.lessons.count()} lessons are deleted with it.",
        section="overview",
    )  # fmt: skip


def _delete(
    request: HttpRequest,
    ws: Workspace,
    instance: models.Model,
    *,
    noun: str,
    title: str,
    what: str,
    consequence: str,
    section: str,
) -> HttpResponse:
    """Ask, then delete part of the draft (POST). Learners keep it until the next publish."""
    back = "authoring:glossary" if section == "glossary" else "authoring:overview"
    if request.method != "POST":
        return page(
            request, "authoring/confirm_delete.html", ws,
            {"noun": noun, "title": title, "consequence": consequence, "back": back},
            section=section,
        )  # fmt: skip
    instance.delete()
    bump_content_version(course=ws.draft)
    services.record(workspace=ws, actor=_user(request), action="delete", what=what, title=title)
    messages.success(
        request,
        f"The {noun} “{title}” is deleted from the draft. Learners keep it until you publish.",
    )
    return redirect(back, course=ws.slug)


# --- Lessons ----------------------------------------------------------------------------------
def _lesson_page(
    request: HttpRequest, ws: Workspace, form: LessonForm, module: Module, preview: object = None
) -> HttpResponse:
    return page(
        request,
        "authoring/lesson_form.html",
        ws,
        {"form": form, "module": module, "lesson": form.instance if form.instance.pk else None,
         "preview": preview, **editor.editor_context(workspace=ws)},
        section="overview",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def lesson_create(request: HttpRequest, course: str, module: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = _module(ws, module)
    form = LessonForm(request.POST or None, module=found, initial={"estimated_minutes": 5})
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = editor.render_preview(workspace=ws, text=form.cleaned_data["body"])
        else:
            lesson = form.save(commit=False)
            lesson.module = found
            lesson.position = _next_position(found.lessons.all())
            if save_form(request=request, workspace=ws, form=form, instance=lesson,
                         what="lesson:new", noun="lesson"):  # fmt: skip
                messages.success(request, f"Lesson “{lesson.title}” added to the draft.")
                return redirect(
                    "authoring:lesson_edit", course=ws.slug, module=found.slug, lesson=lesson.slug
                )
    return _lesson_page(request, ws, form, found, preview)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, course: str, module: str, lesson: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = _lesson(ws, module, lesson)
    form = LessonForm(request.POST or None, instance=found, module=found.module)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = editor.render_preview(workspace=ws, text=form.cleaned_data["body"])
        elif save_form(request=request, workspace=ws, form=form, instance=form.instance,
                       what=f"lesson:{found.pk}", noun="lesson"):  # fmt: skip
            messages.success(request, f"Lesson “{found.title}” saved in the draft.")
            return redirect(
                "authoring:lesson_edit", course=ws.slug, module=module, lesson=found.slug
            )
    return _lesson_page(request, ws, form, found.module, preview)


@login_required
@require_POST
def lesson_move(request: HttpRequest, course: str, module: str, lesson: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = _lesson(ws, module, lesson)
    direction = request.POST.get("direction", "")
    if _move(found.module.lessons.all(), found, direction):
        bump_content_version(course=ws.draft)
        services.record(workspace=ws, actor=_user(request), action="move",
                        what=f"lesson:{found.pk}", direction=direction)  # fmt: skip
        messages.success(request, f"Lesson “{found.title}” moved {direction}.")
    return redirect("authoring:overview", course=ws.slug)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_delete(request: HttpRequest, course: str, module: str, lesson: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = _lesson(ws, module, lesson)
    return _delete(
        request, ws, found, noun="lesson", title=found.title, what=f"lesson:{module}/{lesson}",
        consequence="", section="overview",
    )  # fmt: skip


# --- Glossary ---------------------------------------------------------------------------------
@login_required
@require_http_methods(["GET"])
def glossary(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course)
    return page(
        request, "authoring/glossary.html", ws,
        {"terms": GlossaryTerm.objects.filter(course=ws.draft).order_by("term")},
        section="glossary",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def term_create(request: HttpRequest, course: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    form = TermForm(request.POST or None, course=ws.draft)
    if request.method == "POST" and form.is_valid():
        term = form.save(commit=False)
        term.course = ws.draft
        if save_form(request=request, workspace=ws, form=form, instance=term,
                     what="term:new", noun="term"):  # fmt: skip
            messages.success(request, f"“{term.term}” added to the glossary.")
            return redirect("authoring:glossary", course=ws.slug)
    return page(request, "authoring/term_form.html", ws, {"form": form}, section="glossary")


@login_required
@require_http_methods(["GET", "POST"])
def term_edit(request: HttpRequest, course: str, term: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = get_object_or_404(GlossaryTerm, course=ws.draft, slug=term)
    form = TermForm(request.POST or None, instance=found, course=ws.draft)
    if (
        request.method == "POST"
        and form.is_valid()
        and save_form(
            request=request,
            workspace=ws,
            form=form,
            instance=form.instance,
            what=f"term:{found.pk}",
            noun="term",
        )  # fmt: skip
    ):
        messages.success(request, f"“{found.term}” saved in the draft.")
        return redirect("authoring:glossary", course=ws.slug)
    return page(
        request, "authoring/term_form.html", ws, {"form": form, "term": found}, section="glossary"
    )


@login_required
@require_http_methods(["GET", "POST"])
def term_delete(request: HttpRequest, course: str, term: str) -> HttpResponse:
    ws = workspace(request, course, Need.EDIT)
    found = get_object_or_404(GlossaryTerm, course=ws.draft, slug=term)
    return _delete(
        request, ws, found, noun="glossary term", title=found.term, what=f"term:{term}",
        consequence="Lessons that link to it will need changing before you can publish.",
        section="glossary",
    )  # fmt: skip
