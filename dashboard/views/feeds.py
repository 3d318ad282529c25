"""Small JSON feeds the pages poll, built from the same queries as the pages, and chart SVGs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from dashboard import charts, queries
from dashboard.access import CHART_CSP, dashboard_view
from jobs.exceptions import JobNotFound
from jobs.services.jobs import get_job


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


@dashboard_view("view_job")
def job_feed(request: HttpRequest, job_id: str) -> JsonResponse:
    try:
        job = get_job(job_id)
    except JobNotFound as exc:
        return JsonResponse({"error": exc.message}, status=404)
    try:
        after = int(request.GET.get("after", 0))
    except ValueError:
        after = 0
    return JsonResponse(queries.job_feed(job, after))


@dashboard_view("view_job")
def job_states_feed(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"jobs": queries.job_states(request.GET.getlist("id"))})


@dashboard_view("view_queue", csp=CHART_CSP)
def chart(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in charts.KINDS:
        return HttpResponse("Unknown chart.", status=404, content_type="text/plain")
    svg = charts.render(kind, request.GET.get("range", "1h"))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response
