"""Read-only pages. Each reads through :mod:`dashboard.queries`, never acts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from dashboard import charts, listing, queries
from dashboard.access import dashboard_view, not_found
from jobs import conf
from jobs.core.states import CANCELLABLE, RETRYABLE, JobStatus
from jobs.core.validation import check_queue
from jobs.exceptions import JobNotFound, UnknownQueue
from jobs.models import Job
from jobs.monitoring import figures
from jobs.services.filters import JobFilter
from jobs.services.jobs import get_job

PAGE_SIZES = (25, 50, 100)


@dashboard_view("view_job", "view_queue")
def overview(request: HttpRequest) -> HttpResponse:
    range_key = charts.range_or_default(request.GET.get("range"))
    context = queries.overview()
    context.update(range=range_key, ranges=charts.RANGES, kinds=charts.KINDS)
    return render(request, "dashboard/overview.html", context)


def job_filter(request: HttpRequest, params: QueryDict | None = None, *, warn: bool = True) -> JobFilter:
    """The shared job filter; invalid values are dropped (with a message), never a 500."""
    data = (request.GET if params is None else params).copy()
    filterset = JobFilter(data, queryset=Job.objects.all())
    if not filterset.is_valid():
        for name in filterset.errors:
            data.pop(name, None)
        if warn:
            messages.warning(request, "Ignored invalid filter values: " + ", ".join(sorted(filterset.errors)))
        filterset = JobFilter(data, queryset=Job.objects.all())
    return filterset


def page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", 50))
    except ValueError:
        return 50
    return size if size in PAGE_SIZES else 50


def list_context(request: HttpRequest, *, warn: bool = True) -> dict[str, Any]:
    """One page of the job list as the filters, cursor and size ask; the live feed re-reads it.

    The feed passes ``warn=False``: a bad filter is reported once, by the page, not per poll.
    """
    filterset = job_filter(request, warn=warn)
    token = request.GET.get("cursor", "")
    cursor = queries.Cursor.decode(token) if token else None
    if token and cursor is None and warn:
        messages.warning(request, "That page link was not valid; showing the newest jobs.")
    size = page_size(request)
    rows, next_cursor = queries.job_page(filterset.qs, cursor, size)
    params = request.GET.copy()
    for key in ("cursor", "select"):
        params.pop(key, None)
    return {
        "filter": filterset,
        "jobs": rows,
        "next_cursor": next_cursor.encode() if next_cursor else "",
        "params": params.urlencode(),
        "is_first_page": cursor is None,
        "size": size,
        "sizes": PAGE_SIZES,
        "queues": conf.get().QUEUES,
    }


@dashboard_view("view_job")
def job_list(request: HttpRequest) -> HttpResponse:
    context = list_context(request)
    context["tabs"] = listing.state_tabs(request.GET)
    return render(request, "dashboard/jobs.html", context)


@dashboard_view("view_job")
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = get_job(job_id)
    except JobNotFound as exc:
        return not_found(request, exc.message)
    kind = queries.log_kind(request.GET.get("kind"))
    context = {
        **job_state(job),
        "lines": queries.job_timeline(job, kind),
        "kind": kind,
        "kinds": queries.LOG_KINDS,
        "feed": {"url": request.path + "feed/", "kind": kind, "finished": job.is_finished},
        "depends_on": list(job.depends_on.only("id", "task", "status")),
        "dependants": list(job.dependants.only("id", "task", "status")[:50]),
        "children": list(job.children.only("id", "task", "status", "created_at")[:50]),
    }
    return render(request, "dashboard/job_detail.html", context)


def job_state(job: Job) -> dict[str, Any]:
    """What the live part of a job's page shows: state, progress, buttons, steps, outcome."""
    return {
        "job": job,
        "timeline": queries.timeline(job),
        "can_retry": job.status in RETRYABLE,
        "can_cancel": job.status in CANCELLABLE,
        "can_delete": job.status != JobStatus.STARTED,
    }


@dashboard_view("view_queue")
def queue_list(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/queues.html", {"queues": figures.queue_metrics()})


@dashboard_view("view_queue")
def queue_detail(request: HttpRequest, name: str) -> HttpResponse:
    try:
        check_queue(name)
    except UnknownQueue as exc:
        return not_found(request, exc.message)
    queue = next(q for q in figures.queue_metrics() if q["queue"] == name)
    rows, _ = queries.job_page(Job.objects.filter(queue=name), None, 25)
    context = {"q": queue, "jobs": rows, "live": urlencode({"queue": name, "size": 25})}
    return render(request, "dashboard/queue_detail.html", context)


@dashboard_view("view_recurring_job")
def recurring_list(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/recurring.html", {"rows": queries.recurring_rows()})


@dashboard_view("view_queue")
def worker_list(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/workers.html", {"rows": queries.worker_rows()})


@dashboard_view("view_job")
def failed_list(request: HttpRequest) -> HttpResponse:
    context = {"groups": queries.failed_groups(), "sample": queries.FAILED_GROUP_SAMPLE}
    return render(request, "dashboard/failed.html", context)
