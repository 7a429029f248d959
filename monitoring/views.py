import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts import roles
from accounts.decorators import admin_required
from monitoring import presenters, selectors, tasks
from monitoring.health import run_checks

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database and broker answer, else 503 naming the failure.

    ``?full=1`` from a signed-in admin adds the status page's figures, and also answers 503
    when no worker's heartbeat is fresh. Anyone else asking for it gets the plain answer: the
    figures are for staff, and a load balancer's view of health must not depend on workers.
    """
    results = run_checks()
    healthy = all(status == "ok" for status in results.values())
    # The user is looked up only when asked for the full answer: the plain one, which load
    # balancers poll, stays free of session queries.
    if request.GET.get("full") == "1" and roles.is_admin(request.user):
        status = selectors.system_status()
        healthy = healthy and status.fresh_workers > 0
        body = {**results, **presenters.full_health(status), "healthy": healthy}
        return JsonResponse(body, status=200 if healthy else 503)
    return JsonResponse(results, status=200 if healthy else 503)


@admin_required
@require_http_methods(["GET", "POST"])
def system_status(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            tasks.record_heartbeat.delay()
        except Exception:  # the broker is down: that is what the admin wanted to find out
            logger.warning("Could not send a heartbeat task", exc_info=True)
            messages.error(request, "The heartbeat task could not be sent: the broker is down.")
        else:
            messages.success(
                request, "A heartbeat task was sent. Refresh this page in a few seconds to see it."
            )
        return redirect("system_status")
    status = selectors.system_status()
    context = {
        "checks": run_checks(),
        "status": status,
        "figures": presenters.status_page(status),
    }
    return render(request, "monitoring/system_status.html", context)
