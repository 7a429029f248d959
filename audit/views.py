"""The audit log for admins: the events, filtered, a page at a time, and as a CSV file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts import roles
from audit import presenters, selectors
from audit import services as audit
from audit.forms import AuditFilterForm
from audit.models import AuditEvent
from cohorts import exports
from cohorts.presenters.pagination import pagination
from masterclass import ratelimits

EVENTS_PER_PAGE = 50


def _refuse_non_admins(request: HttpRequest) -> None:
    # As for the admin pages of cohorts: to anyone else the page does not exist.
    if not roles.is_admin(request.user):
        raise Http404("No such page")


def _page(request: HttpRequest, form: AuditFilterForm) -> HttpResponse:
    # With bad filters, their errors are shown, not every event.
    events = (
        selectors.audit_events(**form.filters()) if form.is_valid() else AuditEvent.objects.none()
    )
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [presenters.row(event) for event in page.object_list],
        "pagination": pagination(page=page, query=query, label="Pages of audit events"),
        "export_query": query.urlencode(),
    }
    return render(request, "audit/log.html", context, status=400 if form.errors else 200)


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    _refuse_non_admins(request)
    return _page(request, AuditFilterForm(request.GET))


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponseBase:
    _refuse_non_admins(request)
    if not ratelimits.consume(request, action="export"):
        return ratelimits.too_many_requests(request, message=ratelimits.TOO_MANY_EXPORTS)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, form)
    audit.record(
        actor=request.user, action="audit.exported", target="Audit log",
        details={"filters": {k: v for k, v in request.GET.items() if v}}, request=request,
    )  # fmt: skip
    events = selectors.audit_events(**form.filters()).iterator(chunk_size=2000)
    return exports.csv_response(rows=presenters.csv_rows(events), name=presenters.csv_filename())
