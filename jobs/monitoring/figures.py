"""Figures for every surface: REST ``/api/metrics/``, GraphQL ``metrics``, Prometheus, dashboard.

Everything here reads the rows the housekeeper keeps current (``QueueStats``,
``QueueStatsHistory``, ``TaskStats``, ``TaskStatsHistory``) with a fixed, small number
of queries, never a count over the Job table, so it stays cheap at millions of jobs.
Durations are in seconds; rates are fractions (0.95 = 95 %).

* Totals (processed, succeeded, failed, retried, success rate) are all-time.
* Throughput is attempts per minute over the last ``THROUGHPUT_MINUTES``.
* Run-time and wait-time percentiles are over the last ``PERCENTILE_MINUTES``, from
  histogram buckets (so they are estimates within a bucket); a queue's run-time
  percentiles are exact, over the last ``JOBS['RUNTIME_SAMPLE_SIZE']`` attempts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Max, Sum
from django.db.models.functions import TruncDay, TruncHour, TruncMinute
from django.utils import timezone

from jobs import conf
from jobs.exceptions import InvalidMetricsQuery
from jobs.models import QueueStats, QueueStatsHistory, TaskStats, TaskStatsHistory
from jobs.monitoring.counters import BUCKETS, add_buckets

THROUGHPUT_MINUTES = 5
PERCENTILE_MINUTES = 60
STEPS = {"minute": TruncMinute, "hour": TruncHour, "day": TruncDay}
MAX_POINTS = 2000


def percentile(buckets: Iterable[int], fraction: float) -> float | None:
    """Estimate a percentile (0–1) from histogram bucket counts, interpolating linearly."""
    counts = list(buckets)
    total = sum(counts)
    if not total:
        return None
    target = fraction * total
    seen = 0
    for index, count in enumerate(counts):
        if count and seen + count >= target:
            lower = BUCKETS[index - 1] if index else 0.0
            upper = BUCKETS[index] if index < len(BUCKETS) else float("inf")
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (target - seen) / count
        seen += count
    return BUCKETS[-2]


def _rate(succeeded: int, failed: int) -> float | None:
    finished = succeeded + failed
    return None if not finished else succeeded / finished


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000


def _recent_points(now: datetime, minutes: int) -> list[dict[str, Any]]:
    since = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
    return list(
        TaskStatsHistory.objects.filter(minute__gte=since, minute__lte=now).values(
            "queue", "task", "minute", "processed", "run_buckets", "wait_buckets"
        )
    )


def _recent_by(points: list[dict[str, Any]], key: str, now: datetime) -> dict[str, dict[str, Any]]:
    """Per queue or per task: recent throughput and summed histogram buckets."""
    recent_since = now.replace(second=0, microsecond=0) - timedelta(minutes=THROUGHPUT_MINUTES - 1)
    grouped: dict[str, dict[str, Any]] = defaultdict(lambda: {"recent": 0, "run": [], "wait": []})
    for point in points:
        group = grouped[point[key]]
        if point["minute"] >= recent_since:
            group["recent"] += point["processed"]
        group["run"] = add_buckets(group["run"], point["run_buckets"])
        group["wait"] = add_buckets(group["wait"], point["wait_buckets"])
    return grouped


def queue_metrics(now: datetime | None = None) -> list[dict[str, Any]]:
    """Every configured queue's figures, in configuration order (three queries)."""
    now = now or timezone.now()
    names = conf.get().QUEUES
    rows = {row.name: row for row in QueueStats.objects.filter(name__in=names)}
    since = now.replace(second=0, microsecond=0) - timedelta(minutes=THROUGHPUT_MINUTES - 1)
    recent = dict(
        QueueStatsHistory.objects.filter(queue__in=names, minute__gte=since, minute__lte=now)
        .values("queue")
        .annotate(processed=Sum("processed"))
        .values_list("queue", "processed")
    )
    waits = _recent_by(_recent_points(now, PERCENTILE_MINUTES), "queue", now)
    return [_queue_figures(rows.get(name) or QueueStats(name=name), recent, waits, now) for name in names]


def _queue_figures(
    row: QueueStats, recent: dict[str, int], waits: dict[str, dict[str, Any]], now: datetime
) -> dict[str, Any]:
    wait = waits.get(row.name, {}).get("wait", [])
    oldest = row.oldest_waiting_at
    return {
        "queue": row.name,
        "paused": row.paused,
        "depth": row.waiting,
        "waiting": row.waiting,
        "running": row.running,
        "scheduled": row.scheduled,
        "failed": row.failed,
        "processed": row.processed_total,
        "succeeded": row.succeeded_total,
        "failed_total": row.failed_total,
        "retried": row.retried_total,
        "success_rate": _rate(row.succeeded_total, row.failed_total),
        "throughput_per_minute": (recent.get(row.name) or 0) / THROUGHPUT_MINUTES,
        "runtime_avg": _seconds(row.average_runtime_ms),
        "runtime_p50": _seconds(row.runtime_p50_ms),
        "runtime_p95": _seconds(row.runtime_p95_ms),
        "runtime_p99": _seconds(row.runtime_p99_ms),
        "wait_p50": percentile(wait, 0.5),
        "wait_p95": percentile(wait, 0.95),
        "oldest_waiting_at": oldest,
        "oldest_waiting_age": max((now - oldest).total_seconds(), 0.0) if oldest else None,
        "last_processed_at": row.last_processed_at,
        "updated_at": row.updated_at,
    }


def task_metrics(now: datetime | None = None) -> list[dict[str, Any]]:
    """Every task that ever ran, by name, with the same figures as a queue (two queries)."""
    now = now or timezone.now()
    totals: dict[str, dict[str, Any]] = {}
    for row in TaskStats.objects.all():
        figures = totals.setdefault(
            row.task,
            {"task": row.task, "queues": [], "processed": 0, "succeeded": 0, "failed_total": 0},
        )
        figures["queues"].append(row.queue)
        figures["processed"] += row.processed
        figures["succeeded"] += row.succeeded
        figures["failed_total"] += row.failed
        figures["retried"] = figures.get("retried", 0) + row.retried
        figures["runtime_total_ms"] = figures.get("runtime_total_ms", 0) + row.runtime_total_ms
        figures["wait_total_ms"] = figures.get("wait_total_ms", 0) + row.wait_total_ms
        figures["waited"] = figures.get("waited", 0) + row.waited
        figures["last_processed_at"] = max(
            filter(None, (figures.get("last_processed_at"), row.last_processed_at)), default=None
        )
    recent = _recent_by(_recent_points(now, PERCENTILE_MINUTES), "task", now)
    return [_task_figures(figures, recent.get(name, {})) for name, figures in sorted(totals.items())]


def _task_figures(figures: dict[str, Any], recent: dict[str, Any]) -> dict[str, Any]:
    run, wait = recent.get("run", []), recent.get("wait", [])
    processed = figures["processed"]
    runtime_total, wait_total, waited = (
        figures.pop(name) for name in ("runtime_total_ms", "wait_total_ms", "waited")
    )
    return {
        **figures,
        "queues": sorted(figures["queues"]),
        "success_rate": _rate(figures["succeeded"], figures["failed_total"]),
        "throughput_per_minute": recent.get("recent", 0) / THROUGHPUT_MINUTES,
        "runtime_avg": runtime_total / processed / 1000 if processed else None,
        "runtime_p50": percentile(run, 0.5),
        "runtime_p95": percentile(run, 0.95),
        "runtime_p99": percentile(run, 0.99),
        "wait_avg": wait_total / waited / 1000 if waited else None,
        "wait_p50": percentile(wait, 0.5),
        "wait_p95": percentile(wait, 0.95),
    }


def _check_range(since: datetime, until: datetime, step: str) -> None:
    if step not in STEPS:
        raise InvalidMetricsQuery(
            f"Unknown step {step!r}; use one of {', '.join(STEPS)}.", fields={"step": "invalid"}
        )
    if since >= until:
        raise InvalidMetricsQuery("'since' must be before 'until'.", fields={"since": "after until"})
    points = (until - since) / timedelta(**{f"{step}s": 1})
    if points > MAX_POINTS:
        raise InvalidMetricsQuery(
            f"{points:.0f} {step} points asked for; at most {MAX_POINTS}: use a coarser step.",
            fields={"step": "too fine"},
        )


def auto_step(since: datetime, until: datetime) -> str:
    """The finest step that keeps a chart bounded: minutes up to 3 h, hours up to 40 days."""
    span = until - since
    if span <= timedelta(hours=3):
        return "minute"
    return "hour" if span <= timedelta(days=40) else "day"


def history(
    queue: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    step: str = "minute",
    *,
    task: str | None = None,
) -> list[dict[str, Any]]:
    """Points for charts, oldest first: one per ``step`` ("minute", "hour", "day", "auto").

    Reads the per-minute history of one queue (or all), or of one task when ``task`` is
    given, rolled up in the database, so a 7-day chart is 168 hourly points.

    Raises:
        InvalidMetricsQuery: for an unknown step, a reversed range or too many points.
    """
    until = until or timezone.now()
    since = since or until - timedelta(hours=1)
    step = auto_step(since, until) if step == "auto" else step
    _check_range(since, until, step)
    model = TaskStatsHistory if task else QueueStatsHistory
    rows = model.objects.filter(minute__gte=since, minute__lte=until)
    if queue:
        rows = rows.filter(queue=queue)
    if task:
        rows = rows.filter(task=task)
    extra = {"waiting": Max("waiting")} if model is QueueStatsHistory else {}
    points = (
        rows.annotate(time=STEPS[step]("minute"))
        .values("time")
        .annotate(
            processed=Sum("processed"),
            succeeded=Sum("succeeded"),
            failed=Sum("failed"),
            retried=Sum("retried"),
            runtime_total_ms=Sum("runtime_total_ms"),
            **extra,
        )
        .order_by("time")
    )
    return [_point(point) for point in points]


def _point(point: dict[str, Any]) -> dict[str, Any]:
    processed = point["processed"] or 0
    return {
        "time": point["time"],
        "processed": processed,
        "succeeded": point["succeeded"] or 0,
        "failed": point["failed"] or 0,
        "retried": point["retried"] or 0,
        "runtime_avg": (point["runtime_total_ms"] or 0) / processed / 1000 if processed else None,
        "waiting": point.get("waiting"),
        "success_rate": _rate(point["succeeded"] or 0, point["failed"] or 0),
    }
