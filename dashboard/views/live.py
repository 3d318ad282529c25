"""Feeds that keep the job page and the job lists current without a reload.

They answer with HTML rendered by the same templates as the pages (so autoescaped like
them) plus a little JSON; the page's script swaps the parts that changed. One query
per list poll (plus one for the tab counts, from the queue figures), a handful per
job poll, whatever the table's size.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.template.loader import render_to_string

from dashboard import queries
from dashboard.access import dashboard_view
from dashboard.views.pages import job_state, list_context
from jobs.exceptions import JobNotFound
from jobs.services.jobs import get_job


@dashboard_view("view_job")
def job_feed(request: HttpRequest, job_id: str) -> JsonResponse:
    """The job's live part and its timeline (of ``kind``) as HTML, and its state."""
    try:
        job = get_job(job_id)
    except JobNotFound as exc:
        return JsonResponse({"error": exc.message}, status=404)
    context = {"lines": queries.job_timeline(job, request.GET.get("kind", "all"))}
    return JsonResponse(
        {
            "status": job.status,
            "finished": job.is_finished,
            "progress": job.progress,
            "progress_message": job.progress_message,
            "attempts": job.attempts,
            "html": render_to_string("dashboard/job_live.html", job_state(job), request=request),
            "log_html": render_to_string("dashboard/job_log_rows.html", context, request=request),
        }
    )


@dashboard_view("view_job")
def job_rows(request: HttpRequest) -> JsonResponse:
    """The rows a job list shows for the same filters and page, and the per-state counts."""
    context = list_context(request, warn=False)
    context["selectable"] = request.GET.get("select") == "1"
    html = render_to_string("dashboard/job_rows.html", context, request=request)
    counts = queries.state_counts(request.GET.getlist("queue"))
    return JsonResponse({"html": html, "ids": [str(job.pk) for job in context["jobs"]], "counts": counts})
