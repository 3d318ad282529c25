"""Overview and per-task charts: series from the monitoring figures, drawn by :mod:`dashboard.svg`.

Pages show each chart from its URL as an ``<img>``, and their script puts the same SVG
inline (so each point's value shows on hover) and refreshes it; the page itself never
waits for a chart. No script inside the SVG, no CDN.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Max, Sum
from django.utils import timezone

from dashboard.svg import Series, line_chart
from jobs import conf
from jobs.models import QueueStatsHistory, TaskStatsHistory
from jobs.monitoring import figures
from jobs.monitoring.counters import add_buckets

RANGES = {
    "1h": (timedelta(hours=1), "minute"),
    "24h": (timedelta(hours=24), "hour"),
    "7d": (timedelta(days=7), "hour"),
}
STEP_MINUTES = {"minute": 1, "hour": 60}
KINDS = ("throughput", "depth", "runtime")
MEASURES = {"processed": 0, "failed": 1, "p50": 0, "p95": 1, "": 0}
"""Each measure's dash (solid, dashed), so lines differ by more than colour."""


def range_or_default(value: str | None) -> str:
    return value if value in RANGES else "1h"


def render(kind: str, range_key: str, now: datetime | None = None, *, task: str = "") -> str:
    """One chart as an ``<svg>`` element: ``throughput``, ``depth`` or ``runtime`` over ``range_key``.

    With ``task``, the chart is that task's alone (throughput or run time), over all queues.
    """
    now = now or timezone.now()
    span, step = RANGES[range_or_default(range_key)]
    since = now - span
    times = _time_axis(since, now, step)
    if kind == "runtime":
        lines = _percentile_lines(since, now, step, times, task)
    else:
        lines = _history_lines(kind, since, now, step, times, task)
    labels = [t.strftime("%H:%M" if step == "minute" else "%a %H:00") for t in times]
    names = list(conf.get().QUEUES)
    series = [
        Series(label, values, colour=_colour(label, names), dash=MEASURES.get(label.rsplit(" ", 1)[-1], 0))
        for label, values in lines.items()
    ]
    title, y_title = _titles(kind, step, task)
    return line_chart(title, labels, series, y_title, "time (UTC)")


def _colour(label: str, queues: list[str]) -> int:
    head = label.rsplit(" ", 1)[0]
    return queues.index(head) if head in queues else MEASURES.get(label, 0)


def _history_lines(
    kind: str, since: datetime, until: datetime, step: str, times: list[datetime], task: str
) -> dict:
    """Throughput or depth per queue (or one task's throughput) from the per-minute history, one query."""
    if task:
        points = figures.history(since=since, until=until, step=step, task=task)
        by_time = {_floor(p["time"], step): p for p in points}
        return _values("throughput", by_time, times, step)
    names = conf.get().QUEUES
    rows = (
        QueueStatsHistory.objects.filter(queue__in=names, minute__gte=since, minute__lte=until)
        .annotate(time=figures.STEPS[step]("minute"))
        .values("queue", "time")
        .annotate(processed=Sum("processed"), failed=Sum("failed"), waiting=Max("waiting"))
    )
    by_queue: dict[str, dict] = {name: {} for name in names}
    for row in rows:
        by_queue[row["queue"]][_floor(row["time"], step)] = row
    lines = {}
    for name in names:
        for label, values in _values(kind, by_queue[name], times, step).items():
            lines[f"{name} {label}".strip()] = values
    return lines


def _percentile_lines(since: datetime, until: datetime, step: str, times: list[datetime], task: str) -> dict:
    """p50 and p95 run time per queue (or of one task) and step, from the run-time histograms."""
    buckets: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    rows = TaskStatsHistory.objects.filter(minute__gte=since, minute__lte=until, queue__in=conf.get().QUEUES)
    if task:
        rows = rows.filter(task=task)
    for queue, minute, run in rows.values_list("queue", "minute", "run_buckets").iterator():
        key = ("" if task else queue, _floor(minute, step))
        buckets[key] = add_buckets(buckets[key], run or [])
    lines = {}
    for name in [""] if task else conf.get().QUEUES:
        for label, fraction in (("p50", 0.5), ("p95", 0.95)):
            lines[f"{name} {label}".strip()] = [
                figures.percentile(buckets[(name, t)], fraction) if (name, t) in buckets else None
                for t in times
            ]
    return lines


def _titles(kind: str, step: str, task: str) -> tuple[str, str]:
    """The chart's title and its y axis's."""
    per = "per minute" if step == "minute" else "per minute, hourly average"
    subject = f"{task}: " if task else ""
    return {
        "throughput": (f"{subject}jobs processed and failed", f"jobs {per}"),
        "depth": ("Queue depth", "jobs waiting"),
        "runtime": (f"{subject}run time, p50 and p95", "seconds"),
    }[kind]


def _values(kind: str, by_time: dict, times: list[datetime], step: str) -> dict[str, list]:
    minutes = STEP_MINUTES[step]

    def column(key: str, scale: float = 1.0, missing: float | None = None) -> list:
        return [
            (by_time[t][key] or 0) / scale if t in by_time and by_time[t][key] is not None else missing
            for t in times
        ]

    if kind == "throughput":
        # A minute without history processed nothing; depth and run time are unknown there.
        return {"processed": column("processed", minutes, 0), "failed": column("failed", minutes, 0)}
    return {"": column("waiting")}


def _floor(value: datetime, step: str) -> datetime:
    value = value.replace(second=0, microsecond=0)
    return value.replace(minute=0) if step == "hour" else value


def _time_axis(since: datetime, until: datetime, step: str) -> list[datetime]:
    delta = timedelta(minutes=STEP_MINUTES[step])
    current = _floor(since, step) + delta
    times = []
    while current <= until:
        times.append(current)
        current += delta
    return times
