"""Per-task figures over 1 h / 24 h / 7 d, like Sidekiq's Metrics tab.

Read from the per-minute task history the housekeeper keeps (``TaskStatsHistory``), in
one query, never from the Job table: throughput, failure rate and run-time p50/p95
(estimated from the run-time histograms, so within one bucket).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.utils import timezone

from dashboard.charts import RANGES
from jobs.models import TaskStatsHistory
from jobs.monitoring import figures
from jobs.monitoring.counters import add_buckets


def task_rows(range_key: str, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every task that ran in the range, busiest first."""
    now = now or timezone.now()
    span, _ = RANGES[range_key]
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"processed": 0, "succeeded": 0, "failed": 0, "retried": 0, "run": [], "queues": set()}
    )
    rows = TaskStatsHistory.objects.filter(minute__gte=now - span, minute__lte=now).values_list(
        "task", "queue", "processed", "succeeded", "failed", "retried", "run_buckets"
    )
    for task, queue, processed, succeeded, failed, retried, run in rows.iterator():
        row = totals[task]
        row["processed"] += processed
        row["succeeded"] += succeeded
        row["failed"] += failed
        row["retried"] += retried
        row["run"] = add_buckets(row["run"], run or [])
        row["queues"].add(queue)
    minutes = span.total_seconds() / 60
    out = [_figures(task, row, minutes) for task, row in totals.items()]
    return sorted(out, key=lambda row: (-row["processed"], row["task"]))


def _figures(task: str, row: dict[str, Any], minutes: float) -> dict[str, Any]:
    finished = row["succeeded"] + row["failed"]
    return {
        "task": task,
        "queues": sorted(row["queues"]),
        "processed": row["processed"],
        "failed": row["failed"],
        "retried": row["retried"],
        "per_minute": row["processed"] / minutes,
        "failure_rate": row["failed"] / finished if finished else None,
        "p50": figures.percentile(row["run"], 0.5),
        "p95": figures.percentile(row["run"], 0.95),
    }
