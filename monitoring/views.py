from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.decorators import admin_required
from monitoring import selectors, tasks
from monitoring.health import run_checks


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database and broker answer, else 503 naming the failure."""
    results = run_checks()
    healthy = all(status == "ok" for status in results.values())
    return JsonResponse(results, status=200 if healthy else 503)


@admin_required
@require_http_methods(["GET", "POST"])
def system_status(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        tasks.record_heartbeat.delay()
        messages.success(
            request, "A heartbeat task was sent. Refresh this page in a few seconds to see it."
        )
        return redirect("system_status")
    context = {"checks": run_checks(), "heartbeats": selectors.recent_heartbeats()}
    return render(request, "monitoring/system_status.html", context)
