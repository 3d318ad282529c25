"""Small JSON feeds the pages poll, built from the same queries as the pages, and chart SVGs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from dashboard import charts, queries
from dashboard.access import CHART_CSP, dashboard_view


@dashboard_view("view_job", "view_queue")
def overview_feed(request: HttpRequest) -> JsonResponse:
    data = queries.overview()
    return JsonResponse(
        {
            "queues": data["queues"],
            "totals": data["totals"],
            "workers_alive": data["workers_alive"],
            "scheduler_age": data["scheduler_age"],
            "scheduler_alive": data["scheduler_alive"],
            "alerts": len(data["alerts"]),
        }
    )


@dashboard_view("view_queue", csp=CHART_CSP)
def chart(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in charts.KINDS:
        return HttpResponse("Unknown chart.", status=404, content_type="text/plain")
    svg = charts.render(kind, request.GET.get("range", "1h"), task=request.GET.get("task", "")[:200])
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response
