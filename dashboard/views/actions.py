"""Buttons: parse the POST, check the permission, call one service, report with a message.

A refusal (``JobsError``) becomes a Django message and changes nothing, so an action
that became illegal while the page was open (the job finished meanwhile) just says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dashboard import queries
from dashboard.access import dashboard_view, require_perm
from dashboard.views.pages import job_filter
from jobs import conf, services
from jobs.exceptions import JobsError
from jobs.services.jobs import BulkResult

BULK_LIMIT = 10_000
JOB_ACTIONS = {
    "retry": ("jobs.retry_job", services.retry_job, "Retried"),
    "cancel": ("jobs.cancel_job", services.cancel_job, "Cancelled"),
    "rerun": ("jobs.schedule_job", services.rerun_job, "Scheduled a new run of"),
}
BULK_ACTIONS = {
    "retry": ("jobs.retry_job", services.retry_jobs),
    "cancel": ("jobs.cancel_job", services.cancel_jobs),
}
QUEUE_ACTIONS = {"pause": services.pause_queue, "resume": services.resume_queue}
RECURRING_ACTIONS = {
    "trigger": ("jobs.trigger_recurring_job", services.trigger_recurring_job),
    "pause": ("jobs.pause_recurring_job", services.pause_recurring_job),
    "resume": ("jobs.pause_recurring_job", services.resume_recurring_job),
}


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Return to the page the button was on (same host only)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = default
    return HttpResponseRedirect(target or default)


def attempt(request: HttpRequest, call: Callable[[], Any], success: str) -> Any:
    try:
        outcome = call()
    except JobsError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return outcome


@require_POST
@dashboard_view("jobs.view_job")
def job_action(request: HttpRequest, job_id: str, action: str) -> HttpResponse:
    if action not in JOB_ACTIONS:
        return HttpResponse("Unknown action.", status=404)
    permission, service, verb = JOB_ACTIONS[action]
    require_perm(request, permission)
    job = attempt(
        request, lambda: service(job_id, user=request.user, via="dashboard"), f"{verb} job {job_id}."
    )
    if action == "rerun" and job is not None:
        return HttpResponseRedirect(reverse("dashboard:job", args=[job.pk]))
    return back(request, reverse("dashboard:job", args=[job_id]))


@require_POST
@dashboard_view("jobs.view_job")
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Selected ids, or every job matching the filter: confirm with the count, then act."""
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        messages.error(request, "Choose retry or cancel.")
        return back(request, reverse("dashboard:jobs"))
    permission, service = BULK_ACTIONS[action]
    require_perm(request, permission)
    ids = _bulk_ids(request)
    if not ids:
        messages.warning(request, "No jobs selected.")
        return back(request, reverse("dashboard:jobs"))
    if request.POST.get("confirmed") != "yes":
        context = {
            "action": action,
            "ids": ids,
            "count": len(ids),
            "back": back(request, reverse("dashboard:jobs")).url,
            "limit": BULK_LIMIT,
        }
        return render(request, "dashboard/confirm_bulk.html", context)
    report(request, action, service(ids, user=request.user, via="dashboard"))
    return back(request, reverse("dashboard:jobs"))


def _bulk_ids(request: HttpRequest) -> list[str]:
    if request.POST.get("scope") == "filter":
        qs = job_filter(request, request.POST).qs.order_by("-created_at", "-id")
        return [str(pk) for pk in qs.values_list("id", flat=True)[:BULK_LIMIT]]
    return request.POST.getlist("ids")[:BULK_LIMIT]


def report(request: HttpRequest, action: str, result: BulkResult) -> None:
    verb = {"retry": "Retried", "cancel": "Cancelled"}[action]
    messages.success(request, f"{verb} {len(result.done)} job(s).")
    if result.refused:
        sample = "; ".join(list(result.refused.values())[:3])
        messages.warning(request, f"{len(result.refused)} job(s) refused: {sample}")


@require_POST
@dashboard_view("jobs.view_queuestats")
def queue_action(request: HttpRequest, name: str, action: str) -> HttpResponse:
    if action not in QUEUE_ACTIONS or name not in conf.get().QUEUES:
        return HttpResponse("Unknown queue or action.", status=404)
    require_perm(request, "jobs.pause_queue")
    service = QUEUE_ACTIONS[action]
    attempt(request, lambda: service(name, user=request.user, via="dashboard"), f"Queue {name}: {action}d.")
    return back(request, reverse("dashboard:queues"))


@require_POST
@dashboard_view("jobs.view_recurringjob")
def recurring_action(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    if action not in RECURRING_ACTIONS:
        return HttpResponse("Unknown action.", status=404)
    permission, service = RECURRING_ACTIONS[action]
    require_perm(request, permission)
    done = {"trigger": "Triggered", "pause": "Paused", "resume": "Resumed"}[action]
    attempt(request, lambda: service(pk, user=request.user, via="dashboard"), f"{done} recurring job {pk}.")
    return back(request, reverse("dashboard:recurring"))


@require_POST
@dashboard_view("jobs.view_job")
def failed_group_retry(request: HttpRequest) -> HttpResponse:
    """Retry every failed job of one (task, error type) group."""
    require_perm(request, "jobs.retry_job")
    ids = queries.group_job_ids(request.POST.get("task", ""), request.POST.get("error_type", ""))
    if not ids:
        messages.warning(request, "That group has no failed jobs any more.")
    else:
        report(request, "retry", services.retry_jobs(ids, user=request.user, via="dashboard"))
    return back(request, reverse("dashboard:failed"))
