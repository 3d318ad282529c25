"""One source of queue figures for every surface.

Workers don't touch ``QueueStats`` rows: each finished attempt adds to a few counters
in Redis (one pipeline), and the housekeeper folds them into ``QueueStats`` and the
per-minute ``QueueStatsHistory`` every few seconds. Pages read those rows, never a
``COUNT(*)`` over the Job table.
"""

from __future__ import annotations

import logging
import statistics
from datetime import datetime

from django.db.models import F
from django.utils import timezone
from redis import Redis
from rq import get_current_job

from jobs import conf
from jobs.core.states import JobStatus
from jobs.engine import broker
from jobs.models import Job, QueueStats, QueueStatsHistory

logger = logging.getLogger("jobs.stats")

OUTCOMES = ("succeeded", "failed", "retried")


def count(queue: str, outcome: str, runtime_seconds: float) -> None:
    """Add one finished attempt to the queue's counters (never fails the job)."""
    rq_job = get_current_job()
    redis: Redis = rq_job.connection if rq_job else broker.connection()
    runtime_ms = int(runtime_seconds * 1000)
    try:
        with redis.pipeline(transaction=False) as pipe:
            key = broker.COUNTERS_KEY.format(queue=queue)
            pipe.hincrby(key, outcome, 1)
            pipe.hincrby(key, "runtime_ms", runtime_ms)
            runtimes = broker.RUNTIMES_KEY.format(queue=queue)
            pipe.lpush(runtimes, runtime_ms)
            pipe.ltrim(runtimes, 0, conf.get().RUNTIME_SAMPLE_SIZE - 1)
            pipe.execute()
    except Exception:
        logger.exception("queue=%s could not count a finished attempt", queue)


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


def flush(now: datetime | None = None, redis: Redis | None = None) -> None:
    """Fold Redis counters into QueueStats and refresh the live figures."""
    now = now or timezone.now()
    redis = redis or broker.connection()
    minute = now.replace(second=0, microsecond=0)
    for name in conf.get().QUEUES:
        counters = _take_counters(redis, name)
        _apply_counters(name, counters, minute, now)
        _refresh_live_figures(name, redis, now)


def _apply_counters(name: str, counters: dict[str, int], minute: datetime, now: datetime) -> None:
    QueueStats.objects.get_or_create(name=name)
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


def queue_overview() -> list[QueueStats]:
    """Every configured queue's figures, in configuration order (one query)."""
    names = conf.get().QUEUES
    rows = {row.name: row for row in QueueStats.objects.filter(name__in=names)}
    return [rows.get(name) or QueueStats(name=name) for name in names]
