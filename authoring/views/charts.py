"""The chart builder: the draft's charts, a form to make or change one with a live preview,
and deleting one that nothing uses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from authoring import charting
from authoring.access import Need
from authoring.models import Workspace
from authoring.views import common
from courses.models import Chart, Dataset


@login_required
@require_GET
def chart_list(request: HttpRequest, course: str) -> HttpResponse:
    ws = common.workspace(request, course)
    return common.page(
        request,
        "authoring/charts/list.html",
        ws,
        {"rows": charting.chart_rows(workspace=ws)},
        section="charts",
    )


@login_required
@require_http_methods(["GET", "POST"])
def chart_create(request: HttpRequest, course: str) -> HttpResponse:
    ws = common.workspace(request, course, Need.EDIT)
    if request.method == "GET":
        datasets = list(Dataset.objects.filter(course=ws.draft).order_by("title"))
        chosen = request.GET.get("dataset")
        if len(datasets) > 1 and not any(d.slug == chosen for d in datasets):
            # The first step without JavaScript: the columns to offer depend on the dataset.
            error = (
                [{"text": "Choose the dataset the chart draws from", "href": "#dataset"}]
                if chosen is not None or "step" in request.GET
                else []
            )
            return common.page(
                request,
                "authoring/charts/choose_dataset.html",
                ws,
                {"datasets": datasets, "error": error},
                section="charts",
                status=400 if error else 200,
            )
    return _builder(request, ws, None)


@login_required
@require_http_methods(["GET", "POST"])
def chart_edit(request: HttpRequest, course: str, chart: str) -> HttpResponse:
    ws = common.workspace(request, course, Need.EDIT)
    found = get_object_or_404(Chart.objects.select_related("dataset"), course=ws.draft, slug=chart)
    return _builder(request, ws, found)


def _builder(request: HttpRequest, ws: Workspace, chart: Chart | None) -> HttpResponse:
    """The form, in three uses: "columns" shows the chosen dataset's columns (the second
    step without JavaScript), "preview" draws the chart unsaved, anything else saves."""
    instance = chart or Chart(course=ws.draft)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    preview_html = ""
    if action == "columns":
        step = charting.ChartForm(request.POST, instance=instance, workspace=ws)
        form = charting.ChartForm(
            initial=charting.form_initial_from(step), instance=instance, workspace=ws
        )
    elif request.method == "POST":
        form = charting.ChartForm(request.POST, instance=instance, workspace=ws)
        if form.is_valid() and action == "preview":
            preview_html = charting.chart_html(workspace=ws, chart=form.chart())
        elif form.is_valid() and _save(request, ws, form, chart):
            saved = form.instance
            messages.success(request, f"Chart saved: {saved.title}")
            return redirect("authoring:charts", course=ws.slug)
    else:
        chosen = request.GET.get("dataset")
        initial = {"dataset": chosen} if charting.is_slug(chosen) else None
        form = charting.ChartForm(initial=initial, instance=instance, workspace=ws)
    return common.page(
        request,
        "authoring/charts/form.html",
        ws,
        {
            "form": form,
            "chart": chart,
            "preview_html": preview_html,
            "has_datasets": Dataset.objects.filter(course=ws.draft).exists(),
            "columns": charting.columns_by_dataset(workspace=ws),
            "preview_url": reverse("authoring:chart_preview", kwargs={"course": ws.slug})
            + (f"?chart={chart.slug}" if chart else ""),
        },
        section="charts",
    )


def _save(
    request: HttpRequest, ws: Workspace, form: charting.ChartForm, chart: Chart | None
) -> bool:
    if chart is None:
        return form.save_new(actor=_actor(request)) is not None
    try:
        return common.save_form(
            request=request,
            workspace=ws,
            form=form,
            instance=form.chart(),
            what=f"chart:{chart.pk}",
            noun="chart",
        )
    except IntegrityError:
        form.add_error("slug", "This course already has a chart with this short name")
        return False


@login_required
@require_POST
def chart_preview(request: HttpRequest, course: str) -> HttpResponse:
    """The chart drawn from the builder's unsaved values, as a fragment for its script."""
    ws = common.workspace(request, course, Need.EDIT)
    named = request.GET.get("chart", "")
    editing = (
        Chart.objects.filter(course=ws.draft, slug=named).first()
        if charting.is_slug(named)
        else None
    )
    form = charting.ChartForm(
        request.POST, instance=editing or Chart(course=ws.draft), workspace=ws, preview=True
    )
    context: dict[str, Any] = {"form": form, "preview_html": ""}
    status = 400
    if form.is_valid():
        context["preview_html"] = charting.chart_html(workspace=ws, chart=form.chart())
        status = 200
    response = HttpResponse(
        render_to_string("authoring/charts/_preview.html", context, request=request),
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def chart_delete(request: HttpRequest, course: str, chart: str) -> HttpResponse:
    ws = common.workspace(request, course, Need.EDIT)
    found = get_object_or_404(Chart.objects.select_related("dataset"), course=ws.draft, slug=chart)
    uses = charting.uses_of(chart=found)
    refused = False
    if request.method == "POST":
        try:
            charting.delete_chart(workspace=ws, chart=found, actor=_actor(request))
        except charting.ChartInUse as in_use:
            uses, refused = in_use.uses, True
        else:
            messages.success(request, f"Chart deleted: {found.title}")
            return redirect("authoring:charts", course=ws.slug)
    return common.page(
        request,
        "authoring/charts/delete.html",
        ws,
        {
            "chart": found,
            "uses": uses,
            "refused": refused,
            "refusal": [
                {
                    "text": "The chart is in use: take it out of the lessons and exercises "
                    "listed, then delete it",
                    "href": "#chart-uses",
                }
            ],
        },
        section="charts",
        status=400 if refused else None,
    )


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user
