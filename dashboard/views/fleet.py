"""The fleet page: pools with size, busy slots, memory and health; resize; stop one worker."""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboard.access import dashboard_view, require
from dashboard.views.actions import attempt, back
from jobs.services import actions, fleet


@dashboard_view("view_fleet")
def fleet_page(request: HttpRequest) -> HttpResponse:
    context = {
        "pools": fleet.list_pools(),
        "workers": fleet.live_workers(),
        "may_resize": actions.may(request.user, "resize_pool"),
        "may_stop": actions.may(request.user, "stop_worker"),
    }
    return render(request, "dashboard/fleet.html", context)


@require_POST
@dashboard_view("view_fleet")
def resize(request: HttpRequest, name: str) -> HttpResponse:
    require(request, "resize_pool")
    raw = request.POST.get("workers", "").strip()
    workers: int | str | None = None if raw in ("", "auto") else raw
    if isinstance(workers, str) and workers.isdigit():
        workers = int(workers)
    call = partial(fleet.resize_pool, name, workers, user=request.user)
    size = "back to autoscaling" if workers is None else f"pinned to {workers} worker(s) per host"
    attempt(request, call, f"Pool {name}: {size}.")
    return back(request, reverse("dashboard:fleet"))


@require_POST
@dashboard_view("view_fleet")
def stop(request: HttpRequest, name: str) -> HttpResponse:
    require(request, "stop_worker")
    attempt(request, partial(fleet.stop_worker, name, user=request.user), f"Worker {name} is shutting down.")
    return back(request, reverse("dashboard:fleet"))
