"""Buttons: parse the POST, check the permission, call one service, report with a message.

Which permission a button needs is the action's, read from :mod:`jobs.services.actions`
(the table the admin and the APIs read); so is how many jobs one bulk request may name.
A refusal (``JobsError``) becomes a Django message and changes nothing, so an action
that became illegal while the page was open (the job finished meanwhile) just says so.
Deleting asks first: a POST without ``confirmed=yes`` answers with a confirmation page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dashboard import queries
from dashboard.access import dashboard_view, require
from dashboard.views.pages import job_filter
from jobs import services
from jobs.core.validation import check_queue
from jobs.exceptions import JobsError, UnknownQueue
from jobs.services import actions
from jobs.services.jobs import BulkResult


@dataclass(frozen=True)
class Button:
    """One dashboard button: its action in the table, the service it calls, what it says."""

    action: str
    service: Callable[..., Any]
    done: str
    confirm: bool = False


JOB_BUTTONS = {
    "retry": Button("retry_job", services.retry_job, "Retried"),
    "cancel": Button("cancel_job", services.cancel_job, "Cancelled"),
    "rerun": Button("rerun_job", services.rerun_job, "Scheduled a new run of"),
    "run-now": Button("run_job_now", services.run_job_now, "Sent to its queue now:"),
    "delete": Button("delete_job", services.delete_job, "Deleted", confirm=True),
}
BULK_BUTTONS = {
    "retry": Button("retry_job", services.retry_jobs, "Retried"),
    "cancel": Button("cancel_job", services.cancel_jobs, "Cancelled"),
    "delete": Button("delete_job", services.delete_jobs, "Deleted"),
}
QUEUE_BUTTONS = {
    "pause": Button("pause_queue", services.pause_queue, "paused"),
    "resume": Button("resume_queue", services.resume_queue, "resumed"),
    "empty": Button("empty_queue", services.empty_queue, "emptied", confirm=True),
}
RECURRING_BUTTONS = {
    "trigger": Button("trigger_recurring_job", services.trigger_recurring_job, "Triggered"),
    "pause": Button("pause_recurring_job", services.pause_recurring_job, "Paused"),
    "resume": Button("resume_recurring_job", services.resume_recurring_job, "Resumed"),
    "delete": Button("delete_recurring_job", services.delete_recurring_job, "Deleted", confirm=True),
}


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Return to the page the button was on (same host only)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = default
    return HttpResponseRedirect(target or default)


def attempt(request: HttpRequest, call: Callable[[], Any], success: str) -> tuple[bool, Any]:
    """Run the service call; a refusal becomes an error message. Returns (done, outcome)."""
    try:
        outcome = call()
    except JobsError as exc:
        messages.error(request, exc.message)
        return False, None
    messages.success(request, success)
    return True, outcome


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == "yes"


def confirm_delete(
    request: HttpRequest, question: str, detail: str, cancel_url: str, yes: str = "Yes, delete"
) -> HttpResponse:
    """The page that asks before a destructive button acts; it posts back to the same URL, confirmed."""
    context = {"question": question, "detail": detail, "cancel_url": cancel_url, "yes": yes}
    return render(request, "dashboard/confirm_delete.html", context)


@require_POST
@dashboard_view("view_job")
def job_action(request: HttpRequest, job_id: str, action: str) -> HttpResponse:
    if action not in JOB_BUTTONS:
        return HttpResponse("Unknown action.", status=404)
    button = JOB_BUTTONS[action]
    require(request, button.action)
    job_url = reverse("dashboard:job", args=[job_id])
    if button.confirm and not confirmed(request):
        return _confirm_job(request, job_id, job_url)
    call = partial(button.service, job_id, user=request.user, via="dashboard")
    done, job = attempt(request, call, f"{button.done} job {job_id}.")
    if action == "rerun" and done:
        return HttpResponseRedirect(reverse("dashboard:job", args=[job.pk]))
    if action == "delete" and done:
        return HttpResponseRedirect(reverse("dashboard:jobs"))
    return back(request, job_url)


def _confirm_job(request: HttpRequest, job_id: str, job_url: str) -> HttpResponse:
    try:
        job = services.get_job(job_id)
    except JobsError as exc:
        messages.error(request, exc.message)
        return back(request, reverse("dashboard:jobs"))
    detail = "Its timeline goes with it; this can't be undone. A running job is refused: cancel it first."
    return confirm_delete(request, f"Delete job {job.task} {job.pk}?", detail, job_url)


@require_POST
@dashboard_view("view_job")
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Selected ids, or every job matching the filter: confirm with the count, then act."""
    action = request.POST.get("action", "")
    if action not in BULK_BUTTONS:
        messages.error(request, "Choose retry, cancel or delete.")
        return back(request, reverse("dashboard:jobs"))
    button = BULK_BUTTONS[action]
    require(request, button.action)
    limit = actions.bulk_limit(button.action)
    ids = _bulk_ids(request, limit)
    if not ids:
        messages.warning(request, "No jobs selected.")
        return back(request, reverse("dashboard:jobs"))
    if not confirmed(request):
        context = {
            "action": action,
            "participle": button.done.lower(),
            "ids": ids,
            "count": len(ids),
            "back": back(request, reverse("dashboard:jobs")).url,
            "limit": limit,
        }
        return render(request, "dashboard/confirm_bulk.html", context)
    report(request, button.done, button.service(ids, user=request.user, via="dashboard"))
    return back(request, reverse("dashboard:jobs"))


@require_POST
@dashboard_view("view_job")
def purge(request: HttpRequest) -> HttpResponse:
    """Delete the finished jobs the list's filter matches: count first, then act."""
    require(request, "purge_jobs")
    limit = actions.bulk_limit("purge_jobs")
    jobs = job_filter(request, request.POST).qs
    if not confirmed(request):
        count = queries.finished_count(jobs, limit)
        params = request.POST.copy()
        for key in ("csrfmiddlewaretoken", "confirmed", "next"):
            params.pop(key, None)
        context = {"count": count, "limit": limit, "params": params.lists(), "back": _back_url(request)}
        return render(request, "dashboard/confirm_purge.html", context)
    deleted = services.purge_jobs(jobs, limit=limit, user=request.user, via="dashboard")
    messages.success(request, f"Deleted {deleted} finished job(s).")
    return back(request, reverse("dashboard:jobs"))


def _back_url(request: HttpRequest) -> str:
    return back(request, reverse("dashboard:jobs")).url


def _bulk_ids(request: HttpRequest, limit: int) -> list[str]:
    if request.POST.get("scope") == "filter":
        qs = job_filter(request, request.POST).qs.order_by("-created_at", "-id")
        return [str(pk) for pk in qs.values_list("id", flat=True)[:limit]]
    return request.POST.getlist("ids")[:limit]


def report(request: HttpRequest, verb: str, result: BulkResult) -> None:
    messages.success(request, f"{verb} {len(result.done)} job(s).")
    if result.refused:
        sample = "; ".join(list(result.refused.values())[:3])
        messages.warning(request, f"{len(result.refused)} job(s) refused: {sample}")


@require_POST
@dashboard_view("view_queue")
def queue_action(request: HttpRequest, name: str, action: str) -> HttpResponse:
    try:
        button = QUEUE_BUTTONS[action]
        check_queue(name)
    except (KeyError, UnknownQueue):
        return HttpResponse("Unknown queue or action.", status=404)
    require(request, button.action)
    if button.confirm and not confirmed(request):
        detail = (
            "Every job waiting in it is cancelled (running jobs go on); the cancelled jobs stay "
            "in the list and can be retried."
        )
        cancel_url = reverse("dashboard:queue", args=[name])
        return confirm_delete(request, f"Empty queue {name}?", detail, cancel_url, yes="Yes, empty it")
    call = partial(button.service, name, user=request.user, via="dashboard")
    done, outcome = attempt(request, call, f"Queue {name}: {button.done}.")
    if action == "empty" and done:
        messages.info(request, f"Cancelled {outcome} waiting job(s).")
    return back(request, reverse("dashboard:queues"))


@require_POST
@dashboard_view("view_recurring_job")
def recurring_action(request: HttpRequest, pk: str, action: str) -> HttpResponse:
    if action not in RECURRING_BUTTONS:
        return HttpResponse("Unknown action.", status=404)
    button = RECURRING_BUTTONS[action]
    require(request, button.action)
    if button.confirm and not confirmed(request):
        return _confirm_recurring(request, pk)
    call = partial(button.service, pk, user=request.user, via="dashboard")
    attempt(request, call, f"{button.done} recurring job {pk}.")
    return back(request, reverse("dashboard:recurring"))


def _confirm_recurring(request: HttpRequest, pk: str) -> HttpResponse:
    try:
        rj = services.get_recurring_job(pk)
    except JobsError as exc:
        messages.error(request, exc.message)
        return back(request, reverse("dashboard:recurring"))
    detail = "Runs waiting for their time are cancelled; past runs stay in the job history."
    return confirm_delete(request, f"Delete recurring job {rj.name}?", detail, reverse("dashboard:recurring"))


@require_POST
@dashboard_view("view_job")
def failed_group_retry(request: HttpRequest) -> HttpResponse:
    """Retry every failed job of one (task, error type) group."""
    require(request, "retry_job")
    ids = queries.group_job_ids(request.POST.get("task", ""), request.POST.get("error_type", ""))
    if not ids:
        messages.warning(request, "That group has no failed jobs any more.")
    else:
        report(request, "Retried", services.retry_jobs(ids, user=request.user, via="dashboard"))
    return back(request, reverse("dashboard:failed"))
