"""The per-task metrics page: a table of every task over a range, and one task's charts
(loaded from the chart URL, like the overview's)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard import charts, task_metrics
from dashboard.access import dashboard_view


@dashboard_view("view_queue")
def task_metrics_page(request: HttpRequest) -> HttpResponse:
    range_key = charts.range_or_default(request.GET.get("range"))
    rows = task_metrics.task_rows(range_key)
    task = request.GET.get("task", "")
    chosen = next((row for row in rows if row["task"] == task), None)
    context = {
        "range": range_key,
        "ranges": charts.RANGES,
        "rows": rows,
        "chosen": chosen,
        "task": task,
        "kinds": ("throughput", "runtime") if chosen else (),
    }
    return render(request, "dashboard/metrics.html", context)
