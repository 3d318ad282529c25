"""Where every figure comes from: counters in Redis, folded into rows in batches.

Each finished attempt (the ``job_succeeded``, ``job_retrying`` and ``job_failed``
signals, sent in the worker, or by the housekeeper for an attempt whose worker died)
adds to Redis in one pipeline: the queue's outcome counters and run-time sample, and,
keyed by queue and task, outcome, run time, wait time (queued → started) and one
run-time and one wait-time histogram bucket. The housekeeper's one :func:`flush` takes
them atomically every few seconds and adds them to ``QueueStats`` /
``QueueStatsHistory`` and ``TaskStats`` / ``TaskStatsHistory``, so workers never write
these rows and reading them never counts Job rows. ``JOBS['METRICS_ENABLED'] = False``
switches the per-task counting off (what the overhead benchmark compares); queue
figures are always kept, since the dashboard and the admin read them.

How many jobs of a queue are ``succeeded`` and ``cancelled`` now (the job list's tabs)
can't be recounted at every flush: those sets grow to millions. They move by the
transitions instead, through the same per-queue hash: a success is the ``succeeded``
outcome :func:`record_attempt` already counts, and every other change (a cancel, a
retry out of ``cancelled``, a delete or purge) is one :func:`record_state_changes`
call on commit. :func:`recount_states` repairs them from the table (``jobs_reconcile``,
and the housekeeper once an hour), in case a count was lost with Redis.
"""

from __future__ import annotations

import logging
import statistics
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, F
from django.db.models.functions import Greatest
from django.utils import timezone

from jobs import conf, signals
from jobs.conf import REDIS_PREFIX
from jobs.core.states import JobStatus
from jobs.engine import broker, counting
from jobs.models import Job, QueueStats, QueueStatsHistory, TaskStats, TaskStatsHistory

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger("jobs.metrics")

BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, float("inf"),
)  # fmt: skip
"""Upper bounds (seconds) of the run- and wait-time histograms; the last is +Inf."""

PENDING_KEY = REDIS_PREFIX + "metrics:pending"
HEARTBEAT_KEY = REDIS_PREFIX + "scheduler:heartbeat"
SEP = "\x1f"
OUTCOMES = ("succeeded", "failed", "retried")
COUNTED_STATES = (JobStatus.SUCCEEDED, JobStatus.CANCELLED)
"""The states whose per-queue count moves by transitions (the QueueStats fields of that name)."""
STATE_FIELD = "state:"
RECOUNT_KEY = REDIS_PREFIX + "metrics:recounted"
RECOUNT_EVERY = 3600
"""Seconds between the housekeeper's repairs of the state counts (any scheduler process)."""


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
    """Count one finished attempt in Redis (one pipeline, or the worker's batch:
    :mod:`jobs.engine.counting`); never fails the job."""
    redis = redis or broker.current_connection()
    try:
        with counting.sink(redis) as pipe:
            _count_for_queue(pipe, job.queue, outcome, runtime)
            if conf.get().METRICS_ENABLED:
                _count_for_task(pipe, job, outcome, runtime)
    except Exception:
        logger.exception("job_id=%s task=%s could not count a finished attempt", job.pk, job.task)


def _count_for_queue(pipe: Any, queue: str, outcome: str, runtime: float) -> None:
    runtime_ms = int(runtime * 1000)
    key = broker.COUNTERS_KEY.format(queue=queue)
    pipe.hincrby(key, outcome, 1)
    pipe.hincrby(key, "runtime_ms", runtime_ms)
    runtimes = broker.RUNTIMES_KEY.format(queue=queue)
    pipe.lpush(runtimes, runtime_ms)
    pipe.ltrim(runtimes, 0, conf.get().RUNTIME_SAMPLE_SIZE - 1)


def _count_for_task(pipe: Any, job: Job, outcome: str, runtime: float) -> None:
    prefix = f"{job.queue}{SEP}{job.task}{SEP}"
    wait = wait_seconds(job)
    pipe.hincrby(PENDING_KEY, prefix + outcome, 1)
    pipe.hincrby(PENDING_KEY, prefix + "runtime_ms", int(runtime * 1000))
    pipe.hincrby(PENDING_KEY, f"{prefix}run:{bucket_index(runtime)}", 1)
    if wait is not None:
        pipe.hincrby(PENDING_KEY, prefix + "wait_ms", int(wait * 1000))
        pipe.hincrby(PENDING_KEY, prefix + "waited", 1)
        pipe.hincrby(PENDING_KEY, f"{prefix}wait:{bucket_index(wait)}", 1)


def _on_succeeded(sender: Any, job: Job, runtime: float = 0.0, **kwargs: Any) -> None:
    record_attempt(job, "succeeded", runtime)


def _on_retrying(sender: Any, job: Job, runtime: float = 0.0, **kwargs: Any) -> None:
    record_attempt(job, "retried", runtime)


def _on_failed(sender: Any, job: Job, runtime: float = 0.0, **kwargs: Any) -> None:
    record_attempt(job, "failed", runtime)


def connect() -> None:
    """Listen to the job events (called from the app's ``ready()``)."""
    signals.job_succeeded.connect(_on_succeeded, dispatch_uid="jobs.counters.succeeded")
    signals.job_retrying.connect(_on_retrying, dispatch_uid="jobs.counters.retrying")
    signals.job_failed.connect(_on_failed, dispatch_uid="jobs.counters.failed")


def record_state_changes(changes: Mapping[tuple[str, str], int]) -> None:
    """Move the per-queue state counts by ``{(queue, status): delta}`` when the transaction commits.

    The one call for every change QueueStats counts by transition, besides a worker's
    success: callers pass whatever they changed (statuses not in
    :data:`COUNTED_STATES` are dropped here, so the rule of what is counted lives once).
    On commit, so a rolled-back change counts nothing; a Redis error is logged and never
    fails the caller (:func:`recount_states` repairs).
    """
    kept = {
        (queue, str(status)): delta
        for (queue, status), delta in changes.items()
        if status in COUNTED_STATES and delta
    }
    if kept:
        transaction.on_commit(lambda: _push_state_changes(kept), robust=True)


def _push_state_changes(changes: Mapping[tuple[str, str], int]) -> None:
    with broker.connection().pipeline(transaction=False) as pipe:
        for (queue, status), delta in changes.items():
            pipe.hincrby(broker.COUNTERS_KEY.format(queue=queue), STATE_FIELD + status, delta)
        pipe.execute()


def _take_counters(redis: Redis, queue: str) -> dict[str, int]:
    key = broker.COUNTERS_KEY.format(queue=queue)
    with redis.pipeline() as pipe:
        pipe.hgetall(key)
        pipe.delete(key)
        raw, _ = pipe.execute()
    return {k.decode(): int(v) for k, v in raw.items()}


def _percentiles(redis: Redis, queue: str) -> tuple[float | None, float | None, float | None]:
    samples = sorted(int(v) for v in redis.lrange(broker.RUNTIMES_KEY.format(queue=queue), 0, -1))
    if len(samples) < 2:
        value = float(samples[0]) if samples else None
        return value, value, value
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _flush_queues(now: datetime, redis: Redis) -> None:
    minute = now.replace(second=0, microsecond=0)
    for name in conf.get().QUEUES:
        counters = _take_counters(redis, name)
        _apply_counters(name, counters, minute, now)
        _refresh_live_figures(name, redis, now)


def _apply_counters(name: str, counters: dict[str, int], minute: datetime, now: datetime) -> None:
    QueueStats.objects.get_or_create(name=name)
    _apply_state_changes(name, counters)
    succeeded, failed, retried = (counters.get(outcome, 0) for outcome in OUTCOMES)
    processed = succeeded + failed + retried
    if not processed:
        return
    runtime_ms = counters.get("runtime_ms", 0)
    QueueStats.objects.filter(name=name).update(
        processed_total=F("processed_total") + processed,
        succeeded_total=F("succeeded_total") + succeeded,
        failed_total=F("failed_total") + failed,
        retried_total=F("retried_total") + retried,
        runtime_total_ms=F("runtime_total_ms") + runtime_ms,
        last_processed_at=now,
    )
    row, _ = QueueStatsHistory.objects.get_or_create(queue=name, minute=minute)
    QueueStatsHistory.objects.filter(pk=row.pk).update(
        processed=F("processed") + processed,
        succeeded=F("succeeded") + succeeded,
        failed=F("failed") + failed,
        retried=F("retried") + retried,
        runtime_total_ms=F("runtime_total_ms") + runtime_ms,
    )


def _apply_state_changes(name: str, counters: dict[str, int]) -> None:
    """Add the pending state deltas; a count never goes below zero, whatever came first."""
    deltas = {str(status): counters.get(STATE_FIELD + status, 0) for status in COUNTED_STATES}
    deltas[JobStatus.SUCCEEDED] += counters.get("succeeded", 0)
    moved = {field: Greatest(F(field) + delta, 0) for field, delta in deltas.items() if delta}
    if moved:
        QueueStats.objects.filter(name=name).update(**moved)


def recount_states(now: datetime | None = None, redis: Redis | None = None) -> dict[str, dict[str, int]]:
    """Set each queue's succeeded and cancelled counts from the table: the repair for drift.

    Pending counters are folded first, so they aren't added on top of the count; a job
    that changes state while the count runs may leave it one off until the next repair.
    Returns the counts set, by queue.
    """
    flush(now, redis)
    empty = dict.fromkeys(map(str, COUNTED_STATES), 0)
    counted = {name: dict(empty) for name in conf.get().QUEUES}
    rows = (
        Job.objects.filter(queue__in=counted, status__in=COUNTED_STATES)
        .order_by()
        .values_list("queue", "status")
        .annotate(n=Count("pk"))
    )
    for queue, status, n in rows:
        counted[queue][status] = n
    for name, figures in counted.items():
        QueueStats.objects.update_or_create(name=name, defaults=figures)
    return counted


def recount_states_if_due(now: datetime | None = None, redis: Redis | None = None) -> bool:
    """Recount once every :data:`RECOUNT_EVERY` seconds, whichever scheduler process gets there."""
    now = now or timezone.now()
    redis = redis or broker.connection()
    if not redis.set(RECOUNT_KEY, now.timestamp(), nx=True, ex=RECOUNT_EVERY):
        return False
    recount_states(now, redis)
    return True


def _refresh_live_figures(name: str, redis: Redis, now: datetime) -> None:
    jobs = Job.objects.filter(queue=name)
    oldest = (
        jobs.filter(status=JobStatus.QUEUED)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    p50, p95, p99 = _percentiles(redis, name)
    waiting = broker.queue(name, redis).count
    QueueStats.objects.filter(name=name).update(
        waiting=waiting,
        running=jobs.filter(status=JobStatus.STARTED).count(),
        scheduled=jobs.filter(status__in=(JobStatus.SCHEDULED, JobStatus.DEFERRED)).count(),
        failed=jobs.filter(status=JobStatus.FAILED).count(),
        runtime_p50_ms=p50,
        runtime_p95_ms=p95,
        runtime_p99_ms=p99,
        oldest_waiting_at=oldest,
        updated_at=now,
    )
    minute = now.replace(second=0, microsecond=0)
    QueueStatsHistory.objects.filter(queue=name, minute=minute).update(waiting=waiting)


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
    """Fold every pending counter into its rows; returns the task attempts folded in."""
    now = now or timezone.now()
    redis = redis or broker.connection()
    _flush_queues(now, redis)
    return _flush_tasks(now, redis)


def _flush_tasks(now: datetime, redis: Redis) -> int:
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
