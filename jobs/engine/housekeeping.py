"""Periodic duties that keep the database and Redis telling the same story.

Run by the scheduler process between polls (and on demand by ``jobs_reconcile``):

* **counters** — fold the workers' Redis counters into ``QueueStats``;
* **lost attempts** (every ``JOBS['LOST_CHECK_INTERVAL']`` seconds) — a ``started``
  job whose worker stopped renewing its lease in the database (SIGKILL, machine gone)
  for ``JOBS['WORKER_LOST_AFTER']`` seconds is recorded as a failed attempt (retried
  by its back-off), where RQ alone notices after 1.5–15 minutes. Only the database's
  lease counts: RQ's worker registry and job hashes vanish when Redis restarts, while
  the worker and its job run on;
* **abandoned dequeues** — a job a worker took from its queue and died with before
  starting it goes back to its queue (:mod:`jobs.engine.abandoned`);
* **reconcile** — every job the database counts as waiting gets its RQ copy back if
  Redis lost it (restart without persistence, flush), or never got it (crash between
  commit and enqueue: the outbox case); paused flags are copied back first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from redis import Redis

from jobs import conf
from jobs.core.states import WAITING, JobStatus
from jobs.engine import abandoned, broker, execution, lifecycle, recurring_runs
from jobs.engine.creation import dispatch_job
from jobs.engine.dependants import release_ready_dependants
from jobs.models import Job, QueueStats

logger = logging.getLogger("jobs.housekeeping")

S = JobStatus
BATCH = 500
ABANDONED_INTERVAL = 1.0
"""Seconds between looks for jobs a dead worker took (see :mod:`jobs.engine.abandoned`)."""


class Housekeeper:
    """Runs each duty at its own cadence; cheap to call every second."""

    def __init__(self) -> None:
        self.last_run: dict[str, float] = {}

    def tick(self, redis: Redis | None = None) -> None:
        settings = conf.get()
        self._every("lost", settings.LOST_CHECK_INTERVAL, lambda: recover_lost_attempts(redis=redis))
        self._every("housekeeping", settings.HOUSEKEEPING_INTERVAL, lambda: housekeep(redis=redis))
        self._every("reconcile", settings.RECONCILE_INTERVAL, lambda: reconcile(redis=redis))
        self._every("abandoned", ABANDONED_INTERVAL, lambda: abandoned.requeue_abandoned(redis=redis))
        self._every(
            "recurring", settings.RECURRING_RECONCILE_INTERVAL, recurring_runs.reconcile_recurring_jobs
        )

    def _every(self, name: str, seconds: float, duty) -> None:
        now = time.monotonic()
        if now - self.last_run.get(name, float("-inf")) >= seconds:
            self.last_run[name] = now
            duty()


Duty = Callable[..., object]
_duties: dict[str, Duty] = {}


def add_duty(name: str, duty: Duty) -> None:
    """Run ``duty(now=…, redis=…)`` at every housekeeping pass (monitoring adds its own)."""
    _duties[name] = duty


def housekeep(now: datetime | None = None, redis: Redis | None = None) -> None:
    redis = redis or broker.connection()
    release_ready_dependants(now=now)
    for duty in _duties.values():
        duty(now=now, redis=redis)


def mark_moved_to_queue(job_ids: Iterable[str], redis: Redis | None = None) -> int:
    """rq-scheduler moved these to their queues: say so in the rows."""
    ids = list(job_ids)
    broker.forget_failure(ids, redis=redis)
    return Job.objects.filter(pk__in=ids, status=S.SCHEDULED).update(
        status=S.QUEUED, enqueued_at=timezone.now()
    )


def recover_lost_attempts(now: datetime | None = None, redis: Redis | None = None) -> list[str]:
    """Record attempts whose worker stopped renewing their lease; returns their job ids.

    An attempt whose work-horse reported before its worker died gets that report
    recorded; any other is a lost attempt. Each write carries the attempt's token and
    the lease's staleness, so a worker that just renewed, or a newer attempt, wins.
    """
    now = now or timezone.now()
    redis = redis or broker.connection()
    expired_before = now - timedelta(seconds=conf.get().WORKER_LOST_AFTER)
    recovered = []
    for job in Job.objects.filter(lifecycle.lease_expired(expired_before))[:BATCH]:
        if _record_reported(job, redis):
            logger.warning("job_id=%s event=recorded_late: its worker had not recorded the outcome", job.pk)
            recovered.append(str(job.pk))
            continue
        reason = (
            f"Worker {job.worker_name or '?'} stopped sending heartbeats (killed or lost) "
            "while running this job"
        )
        if lifecycle.record_lost_attempt(job, reason, now=now, lease_expired_before=expired_before):
            logger.warning("job_id=%s event=lost token=%s reason=%r", job.pk, lifecycle.token(job), reason)
            recovered.append(str(job.pk))
    return recovered


def _record_reported(job: Job, redis: Redis) -> bool:
    """Record an outcome the attempt's work-horse reported but its worker never recorded."""
    reported = broker.peek_outcome(str(job.pk), job.execution_id, redis)
    if reported is None:
        return False
    execution.record(job, execution.Outcome.from_dict(reported))
    broker.forget_outcome(str(job.pk), job.execution_id, redis)
    return True


def reconcile(
    now: datetime | None = None, redis: Redis | None = None, grace: float | None = None
) -> dict[str, int]:
    """Give every waiting job an RQ copy again if Redis has none. Idempotent.

    Jobs younger than ``JOBS['RECONCILE_GRACE']`` seconds are left alone: their
    on-commit enqueue may still be on its way. A job enqueued twice is harmless, since
    only one copy can claim the row.
    """
    now = now or timezone.now()
    redis = redis or broker.connection()
    restore_paused_flags(redis)
    settled = now - timedelta(seconds=conf.get().RECONCILE_GRACE if grace is None else grace)
    waiting = Job.objects.filter(status__in=WAITING).filter(
        Q(enqueued_at__lte=settled) | Q(enqueued_at__isnull=True, created_at__lte=settled)
    )
    restored = {"queued": 0, "scheduled": 0, "deferred": 0}
    after: tuple | None = None
    while True:
        # Oldest first: a dependency is always older than its dependants, so it is back
        # in Redis before they are told to wait for it.
        page = waiting.order_by("created_at", "pk")
        if after is not None:
            page = page.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
        batch = list(page.prefetch_related("depends_on")[:BATCH])
        if not batch:
            break
        after = (batch[-1].created_at, batch[-1].pk)
        for job in _missing_from_redis(batch, redis):
            _restore(job, now)
            restored[job.status] += 1
    if any(restored.values()):
        logger.warning("reconcile restored %s", restored)
    return restored


ENDED_IN_RQ = frozenset({"finished", "failed", "stopped", "canceled"})


def _missing_from_redis(batch: list[Job], redis: Redis) -> list[Job]:
    """Waiting rows whose RQ copy is gone, or will never run.

    A queued or deferred row whose RQ execution already ended was never claimed (e.g.
    the database was unreachable when it started); a scheduled row must be in
    rq-scheduler's set unless it was just moved to its queue.
    """
    copies = broker.execution_copies([str(job.pk) for job in batch], redis)
    missing = []
    for job, (status, score) in zip(batch, copies, strict=True):
        if (
            status is None
            or (job.status != S.SCHEDULED and status in ENDED_IN_RQ)
            or (job.status == S.SCHEDULED and score is None and status != "queued")
        ):
            missing.append(job)
    return missing


def _restore(job: Job, now: datetime) -> None:
    if job.status == S.SCHEDULED and (job.run_at is None or job.run_at <= now):
        broker.enqueue(job)
    elif job.status == S.DEFERRED:
        pending = [str(dep.pk) for dep in job.depends_on.all() if dep.status != S.SUCCEEDED]
        broker.enqueue(job, depends_on=pending)
    else:
        dispatch_job(job)


def restore_paused_flags(redis: Redis | None = None) -> None:
    redis = redis or broker.connection()
    paused = set(QueueStats.objects.filter(paused=True).values_list("name", flat=True))
    in_redis = broker.paused_queues(redis)
    broker.set_paused(paused - in_redis, True, redis)
    broker.set_paused(in_redis - paused, False, redis)
