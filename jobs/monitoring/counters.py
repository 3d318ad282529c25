"""Where per-task figures come from: counters in Redis, folded into rows in batches.

Each finished attempt (the ``job_succeeded``, ``job_retrying`` and ``job_failed``
signals, sent in the worker, or by the housekeeper for an attempt whose worker died)
adds to one Redis hash in one pipeline: outcome, run time, wait time (queued → started)
and one run-time and one wait-time histogram bucket, keyed by queue and task. The
housekeeper takes the hash atomically every few seconds and adds it to ``TaskStats``
(all-time) and ``TaskStatsHistory`` (per minute), so workers never write these rows and
reading them never counts Job rows. ``JOBS['METRICS_ENABLED'] = False`` switches the
counting off (what the overhead benchmark compares).
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from redis import Redis
from rq import get_current_job

from jobs import conf, signals
from jobs.conf import REDIS_PREFIX
from jobs.engine import broker
from jobs.models import Job, QueueStatsHistory, TaskStats, TaskStatsHistory

logger = logging.getLogger("jobs.metrics")

BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, float("inf"),
)  # fmt: skip
"""Upper bounds (seconds) of the run- and wait-time histograms; the last is +Inf."""

PENDING_KEY = REDIS_PREFIX + "metrics:pending"
HEARTBEAT_KEY = REDIS_PREFIX + "scheduler:heartbeat"
SEP = "\x1f"
COUNTERS = ("succeeded", "failed", "retried", "runtime_ms", "wait_ms", "waited")


def bucket_index(seconds: float) -> int:
    """The histogram bucket a duration falls in (``le`` semantics, as Prometheus)."""
    return bisect_left(BUCKETS, max(seconds, 0.0))


def wait_seconds(job: Job) -> float | None:
    """How long the attempt waited in its queue before a worker took it."""
    queued_at = job.enqueued_at or job.created_at
    if not job.started_at or not queued_at:
        return None
    return max((job.started_at - queued_at).total_seconds(), 0.0)


def record_attempt(job: Job, outcome: str, runtime: float, redis: Redis | None = None) -> None:
    """Count one finished attempt in Redis (one pipeline); never fails the job."""
    if not conf.get().METRICS_ENABLED:
        return
    if redis is None:
        rq_job = get_current_job()
        redis = rq_job.connection if rq_job else broker.connection()
    prefix = f"{job.queue}{SEP}{job.task}{SEP}"
    wait = wait_seconds(job)
    try:
        with redis.pipeline(transaction=False) as pipe:
            pipe.hincrby(PENDING_KEY, prefix + outcome, 1)
            pipe.hincrby(PENDING_KEY, prefix + "runtime_ms", int(runtime * 1000))
            pipe.hincrby(PENDING_KEY, f"{prefix}run:{bucket_index(runtime)}", 1)
            if wait is not None:
                pipe.hincrby(PENDING_KEY, prefix + "wait_ms", int(wait * 1000))
                pipe.hincrby(PENDING_KEY, prefix + "waited", 1)
                pipe.hincrby(PENDING_KEY, f"{prefix}wait:{bucket_index(wait)}", 1)
            pipe.execute()
    except Exception:
        logger.exception("job_id=%s task=%s could not count a finished attempt", job.pk, job.task)


def _on_succeeded(sender: Any, job: Job, runtime: float = 0.0, **kwargs: Any) -> None:
    record_attempt(job, "succeeded", runtime)


def _on_retrying(sender: Any, job: Job, runtime: float = 0.0, **kwargs: Any) -> None:
    record_attempt(job, "retried", runtime)


def _on_failed(sender: Any, job: Job, runtime: float = 0.0, **kwargs: Any) -> None:
    record_attempt(job, "failed", runtime)


def connect() -> None:
    """Listen to the job events (called from the app's ``ready()``)."""
    signals.job_succeeded.connect(_on_succeeded, dispatch_uid="jobs.monitoring.figures.succeeded")
    signals.job_retrying.connect(_on_retrying, dispatch_uid="jobs.monitoring.figures.retrying")
    signals.job_failed.connect(_on_failed, dispatch_uid="jobs.monitoring.figures.failed")


def _take_pending(redis: Redis) -> dict[tuple[str, str], dict[str, Any]]:
    with redis.pipeline() as pipe:
        pipe.hgetall(PENDING_KEY)
        pipe.delete(PENDING_KEY)
        raw, _ = pipe.execute()
    grouped: dict[tuple[str, str], dict[str, Any]] = defaultdict(
        lambda: {"run_buckets": [0] * len(BUCKETS), "wait_buckets": [0] * len(BUCKETS)}
    )
    for field, value in raw.items():
        queue, task, name = field.decode().split(SEP)
        figures = grouped[(queue, task)]
        if ":" in name:
            kind, index = name.split(":")
            figures[f"{kind}_buckets"][int(index)] += int(value)
        else:
            figures[name] = figures.get(name, 0) + int(value)
    return grouped


def add_buckets(left: list[int] | None, right: list[int]) -> list[int]:
    """Element-wise sum of two bucket lists (either may be shorter, e.g. empty)."""
    size = max(len(left or ()), len(right), len(BUCKETS))
    padded = list(left or ()) + [0] * (size - len(left or ()))
    return [a + (right[i] if i < len(right) else 0) for i, a in enumerate(padded)]


def _add(row: TaskStats | TaskStatsHistory, figures: dict[str, Any]) -> None:
    succeeded, failed, retried = (figures.get(name, 0) for name in ("succeeded", "failed", "retried"))
    row.processed += succeeded + failed + retried
    row.succeeded += succeeded
    row.failed += failed
    row.retried += retried
    row.runtime_total_ms += figures.get("runtime_ms", 0)
    row.wait_total_ms += figures.get("wait_ms", 0)
    row.waited += figures.get("waited", 0)
    row.run_buckets = add_buckets(row.run_buckets, figures["run_buckets"])
    row.wait_buckets = add_buckets(row.wait_buckets, figures["wait_buckets"])


def flush(now: datetime | None = None, redis: Redis | None = None) -> int:
    """Fold the pending Redis counters into the task rows; returns attempts folded in."""
    now = now or timezone.now()
    redis = redis or broker.connection()
    minute = now.replace(second=0, microsecond=0)
    folded = 0
    for (queue, task), figures in _take_pending(redis).items():
        with transaction.atomic():
            total, _ = TaskStats.objects.select_for_update().get_or_create(queue=queue, task=task)
            before = total.processed
            _add(total, figures)
            total.last_processed_at = now
            total.updated_at = now
            total.save()
            point, _ = TaskStatsHistory.objects.select_for_update().get_or_create(
                queue=queue, task=task, minute=minute
            )
            _add(point, figures)
            point.save()
        folded += total.processed - before
    return folded


def prune(now: datetime | None = None) -> int:
    """Delete history older than ``JOBS['METRICS_HISTORY_DAYS']`` (keeps it bounded)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.get().METRICS_HISTORY_DAYS)
    deleted, _ = TaskStatsHistory.objects.filter(minute__lt=cutoff).delete()
    queue_deleted, _ = QueueStatsHistory.objects.filter(minute__lt=cutoff).delete()
    return deleted + queue_deleted


def beat(now: datetime | None = None, redis: Redis | None = None) -> None:
    """Say the scheduler process's housekeeper is alive (what the health check reads)."""
    now = now or timezone.now()
    (redis or broker.connection()).set(HEARTBEAT_KEY, now.timestamp(), ex=24 * 3600)


def scheduler_heartbeat(redis: Redis | None = None) -> datetime | None:
    """When the scheduler process last beat, or None if it never did (or long ago)."""
    value = (redis or broker.connection()).get(HEARTBEAT_KEY)
    return datetime.fromtimestamp(float(value), tz=UTC) if value else None
