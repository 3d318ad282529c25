"""Dashboard pages for events, workflows and batches, over the services.

The workflow page draws the graph on the server as SVG (columns by depth, one box per
node coloured by its live state); a small script polls the page's JSON feed every 2 s
and recolours the boxes while the workflow runs. Buttons retry or cancel a node or the
whole workflow, a batch's failed jobs or its unfinished ones, through the services
with the permissions of the actions table.
"""

from __future__ import annotations

from functools import partial

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboard.access import dashboard_view, not_found, require
from dashboard.views.actions import attempt, back
from jobs.core.workflows import layout
from jobs.exceptions import JobsError
from jobs.models.workflows import get_batch, get_workflow
from jobs.services import batches, events, workflows

BOX_W, BOX_H, GAP_X, GAP_Y = 170, 44, 60, 18
COLOURS = {
    "succeeded": "#1a7f37", "failed": "#c62828", "cancelled": "#c62828", "started": "#1565c0",
    "queued": "#1565c0", "scheduled": "#b26a00", "deferred": "#b26a00", "pending": "#6b7280",
    "skipped": "#9ca3af", "deleted": "#9ca3af",
}  # fmt: skip
PAGE = 100


@dashboard_view("view_event")
def event_list(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("name", "")[:100]
    rows = [(event, events.event_jobs(event)) for event in events.events(name or None)[:PAGE]]
    return render(request, "dashboard/flows/events.html", {"rows": rows, "name": name})


@dashboard_view("view_workflow")
def workflow_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")[:20]
    found = list(workflows.workflows(status or None)[:PAGE])
    return render(request, "dashboard/flows/workflows.html", {"workflows": found, "status": status})


def _graph(workflow) -> dict:
    nodes = workflows.workflow_nodes(workflow)
    positions = layout({node.key: node.predecessors for node in nodes})
    boxes = []
    for node in nodes:
        column, row = positions[node.key]
        state = workflows.node_state(node)
        boxes.append({
            "node": node, "state": state, "colour": COLOURS.get(state, "#6b7280"),
            "x": 10 + column * (BOX_W + GAP_X), "y": 10 + row * (BOX_H + GAP_Y),
        })  # fmt: skip
    at = {box["node"].key: box for box in boxes}
    edges = [
        {"x1": at[p]["x"] + BOX_W, "y1": at[p]["y"] + BOX_H // 2, "x2": box["x"], "y2": box["y"] + BOX_H // 2}
        for box in boxes
        for p in box["node"].predecessors
        if p in at
    ]
    width = max((b["x"] for b in boxes), default=0) + BOX_W + 20
    height = max((b["y"] for b in boxes), default=0) + BOX_H + 20
    return {"boxes": boxes, "edges": edges, "width": width, "height": height, "box_w": BOX_W, "box_h": BOX_H}


@dashboard_view("view_workflow")
def workflow_detail(request: HttpRequest, workflow_id: str) -> HttpResponse:
    try:
        workflow = get_workflow(workflow_id)
    except JobsError as exc:
        return not_found(request, exc.message)
    feed = {
        "url": reverse("dashboard:workflow-feed", args=[workflow.pk]),
        "colours": COLOURS,
        "status": workflow.status,
    }
    context = {"workflow": workflow, "graph": _graph(workflow), "feed": feed}
    return render(request, "dashboard/flows/workflow.html", context)


@dashboard_view("view_workflow")
def workflow_feed(request: HttpRequest, workflow_id: str) -> JsonResponse:
    try:
        workflow = get_workflow(workflow_id)
    except JobsError as exc:
        return JsonResponse({"error": exc.message}, status=404)
    states = {str(node.key): workflows.node_state(node) for node in workflows.workflow_nodes(workflow)}
    return JsonResponse({"status": workflow.status, "nodes": states})


WORKFLOW_BUTTONS = {
    "retry": ("retry_workflow", workflows.retry_workflow, "Retried the failed nodes of"),
    "cancel": ("cancel_workflow", workflows.cancel_workflow, "Cancelled"),
}
NODE_BUTTONS = {
    "retry": ("retry_workflow", workflows.retry_workflow_node, "Retried node"),
    "cancel": ("cancel_workflow", workflows.cancel_workflow_node, "Cancelled node"),
}
BATCH_BUTTONS = {
    "retry": ("retry_batch", batches.retry_batch, "Retried the failed jobs of"),
    "cancel": ("cancel_batch", batches.cancel_batch, "Cancelled"),
}


@require_POST
@dashboard_view("view_workflow")
def workflow_action(request: HttpRequest, workflow_id: str, action: str) -> HttpResponse:
    if action not in WORKFLOW_BUTTONS:
        return HttpResponse("Unknown action.", status=404)
    needed, service, done = WORKFLOW_BUTTONS[action]
    require(request, needed)
    attempt(request, partial(service, workflow_id, user=request.user, via="dashboard"), f"{done} workflow.")
    return back(request, reverse("dashboard:workflow", args=[workflow_id]))


@require_POST
@dashboard_view("view_workflow")
def node_action(request: HttpRequest, workflow_id: str, key: int, action: str) -> HttpResponse:
    if action not in NODE_BUTTONS:
        return HttpResponse("Unknown action.", status=404)
    needed, service, done = NODE_BUTTONS[action]
    require(request, needed)
    attempt(request, partial(service, workflow_id, key, user=request.user, via="dashboard"), f"{done} {key}.")
    return back(request, reverse("dashboard:workflow", args=[workflow_id]))


@dashboard_view("view_batch")
def batch_list(request: HttpRequest) -> HttpResponse:
    rows = [(batch, batches.batch_progress(batch.pk)) for batch in batches.batches()[:PAGE]]
    return render(request, "dashboard/flows/batches.html", {"rows": rows})


@dashboard_view("view_batch")
def batch_detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    try:
        batch = get_batch(batch_id)
    except JobsError as exc:
        return not_found(request, exc.message)
    progress = batches.batch_progress(batch.pk)
    failed = list(
        batch.jobs.filter(status__in=["failed", "cancelled"]).only("id", "task", "status", "error")[:PAGE]
    )
    context = {"batch": batch, "progress": progress, "failed": failed}
    return render(request, "dashboard/flows/batch.html", context)


@require_POST
@dashboard_view("view_batch")
def batch_action(request: HttpRequest, batch_id: str, action: str) -> HttpResponse:
    if action not in BATCH_BUTTONS:
        return HttpResponse("Unknown action.", status=404)
    needed, service, done = BATCH_BUTTONS[action]
    require(request, needed)
    attempt(request, partial(service, batch_id, user=request.user, via="dashboard"), f"{done} the batch.")
    return back(request, reverse("dashboard:batch", args=[batch_id]))
