"""The circuit breakers page: each breaker's state, and forcing one open or closed.

Forcing asks first (a confirmation page, then a POST with ``confirmed=yes``), needs the
``force_breaker`` permission, and goes through :func:`jobs.services.flow.force_breaker`,
so the audit, the timelines, the signal and the alert are those of the REST and GraphQL
buttons and of a breaker that opens by itself.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboard.access import dashboard_view, require
from dashboard.views.actions import attempt, back, confirm_delete, confirmed
from jobs.exceptions import JobsError
from jobs.services import actions, flow

FORCE = {"open": True, "close": False}
"""The two buttons, by the word in their URL."""


@dashboard_view("view_flow")
def breaker_list(request: HttpRequest) -> HttpResponse:
    try:
        rows, error = flow.flow_overview()["breakers"], ""
    except flow.FlowUnavailable:
        rows, error = [], "Redis, where the breakers live, doesn't answer."
    context = {"breakers": rows, "error": error, "may_force": actions.may(request.user, "force_breaker")}
    return render(request, "dashboard/flow/breakers.html", context)


@require_POST
@dashboard_view("view_flow")
def breaker_action(request: HttpRequest, name: str, action: str) -> HttpResponse:
    if action not in FORCE:
        return HttpResponse("Unknown action.", status=404)
    require(request, "force_breaker")
    page = reverse("dashboard:breakers")
    if not confirmed(request):
        return _confirm(request, name, FORCE[action], page)
    call = partial(flow.force_breaker, name, open=FORCE[action], user=request.user, via="dashboard")
    attempt(request, call, f"Breaker {name} forced {'open' if FORCE[action] else 'closed'}.")
    return back(request, page)


def _confirm(request: HttpRequest, name: str, open_: bool, page: str) -> HttpResponse:
    try:
        flow.breaker(name)
    except (JobsError, flow.FlowUnavailable) as exc:
        messages.error(request, getattr(exc, "message", str(exc)))
        return back(request, page)
    if open_:
        question = f"Force breaker {name} open?"
        detail = "Its jobs wait, without using attempts, until someone closes it by hand."
    else:
        question = f"Close breaker {name}?"
        detail = "Every job it holds is sent to run now; failures count towards opening it again."
    return confirm_delete(request, question, detail, page, yes=f"Yes, {'open' if open_ else 'close'} it")
