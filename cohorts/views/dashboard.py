"""What facilitators see of a cohort (the dashboard, one learner, the item analysis) and the
aggregate report that report viewers see too, with their CSV downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from audit import services as audit
from cohorts import access, exports, presenters, reports, selectors
from cohorts.filters import DashboardFilterForm, filter_members
from exercises.models import Exercise
from masterclass import ratelimits


@login_required
@require_safe
def dashboard(request: HttpRequest, cohort: int) -> HttpResponse:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    context = presenters.dashboard_page(cohort=found, query=request.GET)
    status = 400 if context["form"].errors else 200
    return render(request, "cohorts/dashboard.html", context, status=status)


@login_required
@require_safe
def learner_detail(request: HttpRequest, cohort: int, membership: int) -> HttpResponse:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    member = get_object_or_404(selectors.members_with_progress(cohort=found), pk=membership)
    context = presenters.learner_page(cohort=found, member=member)
    if context["answers_shown"]:
        audit.record(
            actor=request.user, action="viewed_learner_answers", target=member.email,
            details={"cohort": found.pk, "membership": member.pk, "learner": member.learner_id},
            request=request,
        )  # fmt: skip
    return render(request, "cohorts/learner.html", context)


@login_required
@require_safe
def item_analysis(request: HttpRequest, cohort: int) -> HttpResponse:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    return render(request, "cohorts/items.html", presenters.items_page(cohort=found))


@login_required
@require_safe
def item_detail(request: HttpRequest, cohort: int, exercise: str) -> HttpResponse:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    question = get_object_or_404(
        Exercise.objects.select_related("course", "chart", "lesson__module"),
        course=found.course_id,
        slug=exercise,
    )
    return render(
        request, "cohorts/item.html", presenters.item_page(cohort=found, exercise=question)
    )


@login_required
@require_safe
@ratelimits.export_limit
def export_grid(request: HttpRequest, cohort: int) -> HttpResponseBase:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    shape = reports.course_shape(course=found.course)
    form = DashboardFilterForm(request.GET, groups=reports.cohort_groups(cohort=found), shape=shape)
    if form.errors:
        return HttpResponse("Those filters are not valid.", status=400, content_type="text/plain")
    members = filter_members(members=selectors.members_with_progress(cohort=found), form=form)
    modules = presenters.shown_modules(shape=shape, form=form)
    audit.record(
        actor=request.user, action="exported_cohort_progress", target=found.name,
        details={"cohort": found.pk, "filters": request.GET.dict()}, request=request,
    )  # fmt: skip
    return exports.csv_response(
        rows=presenters.grid_export_rows(cohort=found, members=members, modules=modules),
        name=exports.filename(cohort_id=found.pk, what="progress"),
    )


@login_required
@require_safe
@ratelimits.export_limit
def export_items(request: HttpRequest, cohort: int) -> HttpResponseBase:
    found = access.cohort_for_facilitator(user=request.user, cohort_id=cohort)
    audit.record(
        actor=request.user, action="exported_cohort_questions", target=found.name,
        details={"cohort": found.pk}, request=request,
    )  # fmt: skip
    return exports.csv_response(
        rows=presenters.item_export_rows(cohort=found),
        name=exports.filename(cohort_id=found.pk, what="questions"),
    )


@login_required
@require_safe
def report(request: HttpRequest, cohort: int) -> HttpResponse:
    found = access.cohort_for_report(user=request.user, cohort_id=cohort)
    facilitator = access.facilitated_cohorts(user=request.user).filter(pk=found.pk).exists()
    context = presenters.report_page(cohort=found, facilitator=facilitator)
    return render(request, "cohorts/report.html", context)


@login_required
@require_safe
@ratelimits.export_limit
def export_report(request: HttpRequest, cohort: int) -> HttpResponseBase:
    found = access.cohort_for_report(user=request.user, cohort_id=cohort)
    return exports.csv_response(
        rows=presenters.report_csv_rows(presenters.report_for(cohort=found)),
        name=exports.filename(cohort_id=found.pk, what="report"),
    )
