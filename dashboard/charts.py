"""Overview charts: pygal renders SVG on the server from ``jobs.monitoring.figures.history``.

The SVG is served as its own response and shown with ``<img>``, and pygal is told to
embed no scripts, so charts work offline and under the pages' strict CSP.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import pygal
from django.utils import timezone
from pygal.etree import etree
from pygal.style import Style

from jobs import conf
from jobs.models import TaskStatsHistory
from jobs.monitoring import figures
from jobs.monitoring.counters import add_buckets

RANGES = {
    "1h": (timedelta(hours=1), "minute"),
    "24h": (timedelta(hours=24), "hour"),
    "7d": (timedelta(days=7), "hour"),
}
STEP_MINUTES = {"minute": 1, "hour": 60}
KINDS = ("throughput", "depth", "runtime")
STYLE = Style(background="transparent", plot_background="transparent", font_family="sans-serif")


def range_or_default(value: str | None) -> str:
    return value if value in RANGES else "1h"


def render(kind: str, range_key: str, now: datetime | None = None) -> bytes:
    """One chart as SVG bytes: ``throughput``, ``depth`` or ``runtime`` over ``range_key``."""
    now = now or timezone.now()
    span, step = RANGES[range_or_default(range_key)]
    since = now - span
    chart = pygal.Line(
        js=[], style=STYLE, height=260, width=720, show_dots=True, dots_size=2,
        x_label_rotation=0, truncate_label=-1,
        show_minor_x_labels=False, legend_at_bottom=True, no_data_text="no data yet", **_titles(kind, step),
    )  # fmt: skip
    times = _time_axis(since, now, step)
    chart.x_labels = [t.strftime("%H:%M" if step == "minute" else "%d %H:00") for t in times]
    chart.x_labels_major = chart.x_labels[:: max(len(times) // 6, 1)]
    lines = (
        _percentile_lines(since, now, step, times)
        if kind == "runtime"
        else _history_lines(kind, since, now, step, times)
    )
    for label, values in lines.items():
        chart.add(label, values)
    return _without_scripts(chart.render_tree())


def _history_lines(kind: str, since: datetime, until: datetime, step: str, times: list[datetime]) -> dict:
    """Throughput or depth per queue from the per-minute queue history (one query per queue)."""
    lines = {}
    for name in conf.get().QUEUES:
        points = figures.history(queue=name, since=since, until=until, step=step)
        by_time = {_floor(p["time"], step): p for p in points}
        for label, values in _values(kind, by_time, times, step).items():
            lines[f"{name} {label}".strip()] = values
    return lines


def _percentile_lines(since: datetime, until: datetime, step: str, times: list[datetime]) -> dict:
    """p50 and p95 run time per queue and step, from the per-task run-time histograms."""
    buckets: dict[tuple[str, datetime], list[int]] = defaultdict(list)
    rows = TaskStatsHistory.objects.filter(minute__gte=since, minute__lte=until, queue__in=conf.get().QUEUES)
    for queue, minute, run in rows.values_list("queue", "minute", "run_buckets").iterator():
        key = (queue, _floor(minute, step))
        buckets[key] = add_buckets(buckets[key], run or [])
    lines = {}
    for name in conf.get().QUEUES:
        for label, fraction in (("p50", 0.5), ("p95", 0.95)):
            lines[f"{name} {label}"] = [
                figures.percentile(buckets[(name, t)], fraction) if (name, t) in buckets else None
                for t in times
            ]
    return lines


def _without_scripts(tree: Any) -> bytes:
    """pygal always embeds its config as a <script>; charts need none of it."""
    for parent in tree.iter():
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                parent.remove(child)
    return etree.tostring(tree, encoding="utf-8", xml_declaration=True)


def _titles(kind: str, step: str) -> dict[str, Any]:
    per = "per minute" if step == "minute" else "per minute (hourly average)"
    return {
        "throughput": {"title": f"Processed and failed {per}"},
        "depth": {"title": "Queue depth (jobs waiting)"},
        "runtime": {"title": "Run time p50 / p95 (s)"},
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
